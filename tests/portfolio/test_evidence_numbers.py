"""Evidence numbers: E1, E2 … per portfolio in the order evidence was added, never reused, the
same in every export and scope, and given to evidence that existed before numbers did."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from assessment import services as assessment
from assessment.models import Outcome
from exports.models import ExportScope
from portfolio import services
from portfolio.models import Evidence, EvidenceType, Portfolio
from qualifications.models import AssessmentCriterion
from tests.exports.test_exports import clear_section_cache, export_now, flat
from tests.exports.test_migrations import migrate
from tests.files import text_upload


def add(portfolio: Portfolio, title: str) -> Evidence:
    return services.evidence_create(
        actor=portfolio.learner,
        portfolio=portfolio,
        type=EvidenceType.REFLECTIVE_ACCOUNT,
        title=title,
        activity_date=portfolio.start_date,
        description="What I did.",
    )


@pytest.mark.django_db
def test_each_portfolio_counts_its_own_evidence_in_order_and_never_reuses_a_number(
    amy_portfolio: Portfolio, ben_portfolio: Portfolio
) -> None:
    first, second, third = (add(amy_portfolio, t) for t in ("One", "Two", "Three"))
    assert [first.number, second.number, third.number] == [1, 2, 3]
    assert add(ben_portfolio, "Ben's first").number == 1

    services.evidence_delete(actor=amy_portfolio.learner, evidence=second)
    assert add(amy_portfolio, "Four").number == 4


@pytest.mark.django_db
def test_a_number_taken_at_the_same_moment_is_retried(
    amy_portfolio: Portfolio, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(amy_portfolio, "One")
    # Another request read the same highest number a moment ago: the first read is stale.
    real = QuerySet.aggregate
    stale = iter([{"highest": 0}])

    def aggregate(self: QuerySet, *args: Any, **kwargs: Any) -> dict:
        if self.model is Evidence and "highest" in kwargs:
            return next(stale, None) or real(self, *args, **kwargs)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "aggregate", aggregate)
    assert add(amy_portfolio, "Two").number == 2


@pytest.mark.django_db
def test_a_unit_pdf_calls_evidence_by_the_same_number_as_the_whole_pdf(
    amy: User,
    asha: User,
    amy_portfolio: Portfolio,
    wwo_1_1: AssessmentCriterion,
) -> None:
    clear_section_cache(amy_portfolio)
    for title in ("Rota", "Huddle notes"):
        evidence = add(amy_portfolio, title)
        services.evidence_file_add(actor=amy, evidence=evidence, uploaded=text_upload())
    [mapping] = services.mappings_create(
        actor=amy, evidence=evidence, commentaries={wwo_1_1: "Notes."}, submit=True
    )
    assessment.mappings_decide(
        actor=asha,
        evidence=evidence,
        requests=[
            assessment.DecisionRequest(
                mapping.pk, Outcome.ACCEPTED, "", None, assessment.Vacsr.confirmed()
            )
        ],
    )

    _, whole = export_now(asha, amy_portfolio)
    _, unit = export_now(asha, amy_portfolio, ExportScope.UNIT, wwo_1_1.unit)

    assert "E2 Huddle notes" in flat(whole.pages[1])
    assert "E2 Huddle notes" in flat(unit.pages[1])  # not renumbered E1 in the shorter PDF
    clear_section_cache(amy_portfolio)


@pytest.fixture
def before_numbers() -> Iterator:
    yield migrate([("portfolio", "0010_registration_and_designated_iqa")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_evidence_is_numbered_in_the_order_it_was_added(before_numbers: Any) -> None:
    old = before_numbers
    centre = old.get_model("accounts", "Centre").objects.create(name="Northgate Training")
    body = old.get_model("qualifications", "AwardingBody").objects.create(code="OCR", name="OCR")
    qualification = old.get_model("qualifications", "Qualification").objects.create(
        reference="OCR-TEST", awarding_body=body, title="Test certificate", level=3
    )
    made = {}
    for name in ("amy", "ben"):
        learner = old.get_model("accounts", "User").objects.create(
            email=f"{name}@northgate.test", full_name=name.title(), centre=centre
        )
        made[name] = old.get_model("portfolio", "Portfolio").objects.create(
            learner=learner,
            centre=centre,
            qualification=qualification,
            start_date=datetime.date(2025, 9, 1),
            planned_end_date=datetime.date(2026, 8, 31),
        )
    OldEvidence = old.get_model("portfolio", "Evidence")
    now = timezone.now()
    for minutes, owner, title in [
        (3, "amy", "third"),
        (1, "amy", "first"),
        (2, "ben", "b1"),
        (2, "amy", "second"),
    ]:
        OldEvidence.objects.create(
            portfolio=made[owner],
            type="product",
            title=title,
            activity_date=datetime.date(2025, 10, 1),
            description="d",
            created_by=made[owner].learner,
            created_at=now + datetime.timedelta(minutes=minutes),
        )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    numbered = dict(Evidence.objects.values_list("title", "number"))
    assert numbered == {"first": 1, "second": 2, "third": 3, "b1": 1}
