"""Demo people for local use: one centre with a person per role, and a second centre."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from accounts.models import Centre, Membership, Role, User

DEMO_PASSWORD = "portfolio-demo"  # noqa: S105 - documented local-only demo password
DEMO_CENTRE = "Northgate Training"
OTHER_CENTRE = "Riverside College"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    centre: str | None
    roles: tuple[str, ...]
    operator: bool = False


DEMO_PEOPLE = (
    DemoPerson("amy@northgate.example", "Amy Learner", DEMO_CENTRE, (Role.LEARNER,)),
    DemoPerson("ben@northgate.example", "Ben Learner", DEMO_CENTRE, (Role.LEARNER,)),
    DemoPerson("asha@northgate.example", "Asha Assessor", DEMO_CENTRE, (Role.ASSESSOR,)),
    DemoPerson("tom@northgate.example", "Tom Tutor", DEMO_CENTRE, (Role.TUTOR,)),
    DemoPerson("iris@northgate.example", "Iris IQA", DEMO_CENTRE, (Role.IQA, Role.ASSESSOR)),
    DemoPerson("ada@northgate.example", "Ada Administrator", DEMO_CENTRE, (Role.CENTRE_ADMIN,)),
    DemoPerson("eve@northgate.example", "Eve Employer", DEMO_CENTRE, (Role.EMPLOYER,)),
    DemoPerson("oscar@riverside.example", "Oscar Learner", OTHER_CENTRE, (Role.LEARNER,)),
    DemoPerson("operator@portfolio.example", "Site Operator", None, (), operator=True),
)


@transaction.atomic
def seed_demo_people() -> list[User]:
    """Create or refresh the demo people; safe to run any number of times."""
    people = []
    for person in DEMO_PEOPLE:
        centre = Centre.objects.get_or_create(name=person.centre)[0] if person.centre else None
        user = User.objects.filter(email__iexact=person.email).first()
        if user is None:
            user = User(email=person.email)
        user.full_name = person.full_name
        user.centre = centre
        user.is_active = True
        user.is_staff = person.operator
        user.is_superuser = person.operator
        user.set_password(DEMO_PASSWORD)
        user.save()
        for role in person.roles:
            Membership.objects.get_or_create(user=user, role=role)
        user.memberships.exclude(role__in=person.roles).delete()
        people.append(user)
    return people
