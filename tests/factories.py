"""factory_boy factories for the test cast and the rows their work leaves behind.

Portfolios default to the OCR certificate, so anything that makes one needs the `catalogue`
fixture (or an explicit qualification). A mapping always needs its criterion given.
"""

from __future__ import annotations

import datetime
import hashlib

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Centre, Membership, User
from assessment.models import Decision, Outcome
from portfolio.models import (
    Evidence,
    EvidenceFile,
    EvidenceType,
    FileKind,
    Mapping,
    MappingStatus,
    Portfolio,
)
from qualifications.models import Qualification
from tests.catalogue import OCR

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
    qualification = factory.LazyFunction(lambda: Qualification.objects.get(reference=OCR))
    start_date = datetime.date(2025, 9, 1)
    planned_end_date = datetime.date(2026, 8, 31)


class EvidenceFactory(factory.django.DjangoModelFactory):
    """A piece of evidence written by the portfolio's learner, with no files yet."""

    class Meta:
        model = Evidence

    portfolio = factory.SubFactory(PortfolioFactory)
    type = EvidenceType.PRODUCT
    title = factory.Sequence(lambda n: f"Evidence {n}")
    activity_date = datetime.date(2025, 10, 14)
    description = "What I did on the shop floor."
    created_by = factory.SelfAttribute("portfolio.learner")


class EvidenceFileFactory(factory.django.DjangoModelFactory):
    """A small text file, really stored (in the tests' in-memory storage), with its true size
    and hash. Pass `content` for other bytes."""

    class Meta:
        model = EvidenceFile

    class Params:
        content = b"What I did on the shop floor.\n"

    evidence = factory.SubFactory(EvidenceFactory)
    original_name = "notes.txt"
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name=o.original_name))
    kind = FileKind.TEXT
    content_type = "text/plain"
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    uploaded_by = factory.SelfAttribute("evidence.created_by")


def _confirmed_if_accepted(outcome: str) -> bool | None:
    return True if outcome == Outcome.ACCEPTED else None


class DecisionFactory(factory.django.DjangoModelFactory):
    """The portfolio's assessor accepts the mapping; a referral comes with feedback.

    It records the decision only: the mapping's status is the caller's to set (MappingFactory's
    `accepted` and `referred` do both)."""

    class Meta:
        model = Decision

    mapping = factory.SubFactory("tests.factories.MappingFactory")
    outcome = Outcome.ACCEPTED
    feedback = factory.LazyAttribute(
        lambda o: "" if o.outcome == Outcome.ACCEPTED else "Say who you spoke to."
    )
    decided_by = factory.LazyAttribute(lambda o: o.mapping.evidence.portfolio.assessor)
    # An acceptance confirms the evidence valid, authentic, current, sufficient and reliable.
    vacsr_valid = factory.LazyAttribute(lambda o: _confirmed_if_accepted(o.outcome))
    vacsr_authentic = factory.LazyAttribute(lambda o: _confirmed_if_accepted(o.outcome))
    vacsr_current = factory.LazyAttribute(lambda o: _confirmed_if_accepted(o.outcome))
    vacsr_sufficient = factory.LazyAttribute(lambda o: _confirmed_if_accepted(o.outcome))
    vacsr_reliable = factory.LazyAttribute(lambda o: _confirmed_if_accepted(o.outcome))


class MappingFactory(factory.django.DjangoModelFactory):
    """A draft claim that the evidence meets the criterion; `submitted=True`, `accepted=True`
    or `referred=True` move it on, the last two with the assessor's decision behind them."""

    class Meta:
        model = Mapping
        skip_postgeneration_save = True

    class Params:
        submitted = factory.Trait(status=MappingStatus.SUBMITTED)
        accepted = factory.Trait(
            status=MappingStatus.ACCEPTED,
            decision=factory.RelatedFactory(
                DecisionFactory, factory_related_name="mapping", outcome=Outcome.ACCEPTED
            ),
        )
        referred = factory.Trait(
            status=MappingStatus.REFERRED,
            decision=factory.RelatedFactory(
                DecisionFactory, factory_related_name="mapping", outcome=Outcome.REFERRED
            ),
        )

    evidence = factory.SubFactory(EvidenceFactory)
    commentary = "I greeted each customer, asked what they needed and checked back later."
    status = MappingStatus.DRAFT
    submitted_at = factory.LazyAttribute(
        lambda o: None if o.status == MappingStatus.DRAFT else timezone.now()
    )
