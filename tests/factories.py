"""factory_boy factories for the test cast."""

from __future__ import annotations

import datetime

import factory

from accounts.models import Centre, Membership, User
from portfolio.models import Portfolio

PASSWORD = "correct-horse-battery"


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Centre
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Centre {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    centre = factory.SubFactory(CentreFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create:
            self.save()
            for role in extracted or []:
                Membership.objects.create(user=self, role=role)


class PortfolioFactory(factory.django.DjangoModelFactory):
    """A learner on a qualification at the learner's centre, from September to August."""

    class Meta:
        model = Portfolio

    learner = factory.SubFactory(UserFactory)
    centre = factory.SelfAttribute("learner.centre")
    start_date = datetime.date(2025, 9, 1)
    planned_end_date = datetime.date(2026, 8, 31)
