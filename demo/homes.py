"""Demo rows that give each home page something waiting: a unit Amy can declare, a unit Ben has
declared for Asha to sign off, and a learner invited but not yet signed in, with no assessor,
for Ada. Built through the services where there is one; safe to run again."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Centre, Membership, Role, User
from assessment import services as assessment_services
from assessment.models import Outcome, UnitDeclaration
from assessment.services import DecisionRequest, Vacsr
from cohorts.models import Cohort
from demo.people import DEMO_CENTRE
from portfolio import services
from portfolio.models import EvidenceType, Portfolio
from qualifications.models import Qualification, Unit

NINA_EMAIL = "nina@northgate.example"


def _meet_unit(portfolio: Portfolio, unit: Unit, *, title: str, description: str) -> None:
    """One piece of evidence mapped to every criterion of the unit, submitted by the learner
    and accepted by the assessor with VACSR confirmed."""
    learner, assessor = portfolio.learner, portfolio.assessor
    evidence = services.evidence_create(
        actor=learner,
        portfolio=portfolio,
        type=EvidenceType.REFLECTIVE_ACCOUNT,
        title=title,
        activity_date=timezone.localdate() - datetime.timedelta(days=9),
        description=description,
    )
    services.evidence_file_add(
        actor=learner,
        evidence=evidence,
        uploaded=SimpleUploadedFile("account.txt", description.encode(), content_type="text/plain"),
    )
    mappings = services.mappings_create(
        actor=learner,
        evidence=evidence,
        commentaries={
            c: f"{description} This shows {c.number}." for c in unit.criteria.order_by("position")
        },
        submit=True,
    )
    assessment_services.mappings_decide(
        actor=assessor,
        evidence=evidence,
        requests=[
            DecisionRequest(
                mapping_id=m.pk,
                outcome=Outcome.ACCEPTED,
                feedback="",
                seen_submitted_at=None,
                vacsr=Vacsr.confirmed(),
            )
            for m in mappings
        ],
    )


def _portfolio_unit(learner: User, qualification: str, unit: str) -> tuple[Portfolio, Unit] | None:
    portfolio = (
        Portfolio.objects.filter(learner=learner, qualification__reference=qualification)
        .select_related("learner", "assessor", "qualification")
        .order_by("-qualification__sequence")
        .first()
    )
    if portfolio is None or portfolio.assessor is None:
        return None
    found = Unit.objects.filter(
        reference=unit, qualification_links__qualification=portfolio.qualification
    ).first()
    return (portfolio, found) if found else None


@transaction.atomic
def seed_demo_homes() -> None:
    centre = Centre.objects.get(name=DEMO_CENTRE)
    people = {u.email.split("@")[0]: u for u in User.objects.filter(centre=centre)}

    # Amy: every criterion of a chosen unit of the example diploma met, not yet declared.
    found = _portfolio_unit(people["amy"], "EX-L3-RETAIL-DIP", "EX-RET-C2A")
    if found and not found[0].evidence.filter(title="Returns desk week").exists():
        _meet_unit(
            *found,
            title="Returns desk week",
            description="I ran the returns desk for a week and kept a log of every refund.",
        )

    # Ben: RS-PDR met and declared, waiting for Asha's sign-off.
    found = _portfolio_unit(people["ben"], "OCR-L3-RSSP-CERT", "RS-PDR")
    if found and not UnitDeclaration.objects.filter(portfolio=found[0], unit=found[1]).exists():
        portfolio, unit = found
        _meet_unit(
            portfolio,
            unit,
            title="Planning the Saturday service",
            description="I planned, delivered and reviewed the Saturday customer service rota.",
        )
        assessment_services.unit_declare(actor=portfolio.learner, portfolio=portfolio, unit=unit)

    # Nina: invited by email, never signed in, and not yet given an assessor.
    nina = User.objects.filter(email__iexact=NINA_EMAIL).first()
    if nina is None:
        nina = User(email=NINA_EMAIL, full_name="Nina Newcomer", centre=centre)
        nina.set_unusable_password()
        nina.save()
        Membership.objects.get_or_create(user=nina, role=Role.LEARNER)
    qualification = Qualification.objects.current().filter(reference="OCR-L3-RSSP-CERT").first()
    if qualification and not Portfolio.objects.filter(learner=nina).exists():
        cohort = Cohort.objects.filter(centre=centre, qualification=qualification).first()
        Portfolio.objects.create(
            learner=nina,
            centre=centre,
            qualification=qualification,
            cohort=cohort,
            tutor=people.get("tom"),
            start_date=timezone.localdate(),
            planned_end_date=timezone.localdate() + datetime.timedelta(days=365),
        )
