"""Assessment plans and progress reviews: what the assessor may write, the refusals (no
criteria, criteria outside the portfolio's units, a met item), who signs a review and in what
words, three-way reviews for apprenticeships, and when an item is overdue or a review due."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.utils import timezone

from accounts.models import Notification, User
from assessment import plans
from assessment import services as assessment
from assessment.models import PlanItem, PlanMethod, ProgressReview, ReviewParty, ReviewSignature
from assessment.services import PlanItemContent
from portfolio.audit import describe
from portfolio.errors import ActionRefused
from portfolio.models import AuditEntry, Portfolio
from qualifications.models import AssessmentCriterion, Qualification, Unit
from tests.catalogue import criterion
from tests.factories import PortfolioFactory
from tests.journeys import accept, add_evidence, submit

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)


def content(*criteria: AssessmentCriterion, **changes: object) -> PlanItemContent:
    values: dict[str, object] = {
        "activity": "Plan and run the weekly stock rotation",
        "method": PlanMethod.OBSERVATION,
        "criteria": tuple(criteria),
        "target_date": datetime.date(2026, 4, 30),
    }
    values.update(changes)
    return PlanItemContent(**values)


@pytest.fixture
def apprenticeship(amy_portfolio: Portfolio, eve: User) -> Portfolio:
    amy_portfolio.is_apprenticeship = True
    amy_portfolio.employer = eve
    amy_portfolio.save(update_fields=["is_apprenticeship", "employer"])
    return amy_portfolio


@pytest.fixture
def item(amy_portfolio: Portfolio, asha: User, wwo_1_1: AssessmentCriterion) -> PlanItem:
    return assessment.plan_item_create(
        actor=asha, portfolio=amy_portfolio, content=content(wwo_1_1, criterion("RS-WWO", "1.2"))
    )


def write_review(portfolio: Portfolio, **changes: object) -> ProgressReview:
    values: dict[str, object] = {
        "held_on": datetime.date(2025, 11, 20),
        "progress": "The stock rotation is under way; the till audit is done.",
        "next_steps": "Complete the rotation and write the reflective account.",
    }
    values.update(changes)
    return assessment.progress_review_create(
        actor=portfolio.assessor, portfolio=portfolio, **values
    )


def snapshot() -> tuple[list, list, list, int, int]:
    return (
        list(PlanItem.objects.order_by("pk").values()),
        list(PlanItem.criteria.through.objects.order_by("pk").values()),
        list(ReviewSignature.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


@contextmanager
def refused(message: str) -> Iterator[None]:
    """Refused with exactly this message, and nothing at all written."""
    before = snapshot()
    with pytest.raises(ActionRefused) as caught:
        yield
    assert caught.value.message == message
    assert snapshot() == before


# Plan items -----------------------------------------------------------------------------------


def test_the_assessor_adds_a_plan_item_with_its_criteria_audited_and_the_learner_told(
    item: PlanItem, amy: User
) -> None:
    assert item.method == PlanMethod.OBSERVATION
    assert sorted(c.number for c in item.criteria.all()) == ["1.1", "1.2"]
    entry = AuditEntry.objects.get(action="plan_item.create")
    line = describe(entry)
    assert line.what == "Added an item to the assessment plan"
    assert "Criteria: RS-WWO 1.1, RS-WWO 1.2" in line.details
    assert "Method: Observation" in line.details
    assert "Target date: 30 Apr 2026" in line.details
    assert Notification.objects.filter(recipient=amy, message__contains="assessment plan").exists()


def test_a_plan_item_with_no_criteria_is_refused_and_nothing_is_saved(
    amy_portfolio: Portfolio, asha: User
) -> None:
    with refused("Choose at least one criterion this activity should cover."):
        assessment.plan_item_create(actor=asha, portfolio=amy_portfolio, content=content())


def test_criteria_of_another_qualification_are_refused(
    amy_portfolio: Portfolio, asha: User, wwo_1_1: AssessmentCriterion
) -> None:
    diploma = Qualification.objects.current().get(reference="EX-L3-RETAIL-DIP")
    foreign = AssessmentCriterion.objects.filter(unit__in=diploma.units.all()).first()

    with refused(
        f"Criterion {foreign.unit.reference} {foreign.number} is not in a unit this portfolio "
        "works towards: choose criteria of its own units."
    ):
        assessment.plan_item_create(
            actor=asha, portfolio=amy_portfolio, content=content(wwo_1_1, foreign)
        )


def test_criteria_of_an_optional_unit_not_chosen_are_refused(
    asha: User, amy: User, ocr: Qualification
) -> None:
    diploma = Qualification.objects.current().get(reference="EX-L3-RETAIL-DIP")
    portfolio = PortfolioFactory(learner=amy, qualification=diploma, assessor=asha)
    optional = diploma.units.filter(qualification_links__mandatory=False).first()
    unchosen = optional.criteria.first()

    with refused(
        f"Criterion {optional.reference} {unchosen.number} is not in a unit this portfolio "
        "works towards: choose criteria of its own units."
    ):
        assessment.plan_item_create(actor=asha, portfolio=portfolio, content=content(unchosen))


def test_only_the_assigned_assessor_writes_the_plan(
    amy_portfolio: Portfolio, amy: User, tom: User, wwo_1_1: AssessmentCriterion
) -> None:
    for person in (amy, tom):
        with refused("Only the learner's assigned assessor can do this."):
            assessment.plan_item_create(
                actor=person, portfolio=amy_portfolio, content=content(wwo_1_1)
            )


def test_changing_an_item_records_what_changed(item: PlanItem, asha: User) -> None:
    assessment.plan_item_update(
        actor=asha,
        item=item,
        content=content(*item.criteria.all(), target_date=datetime.date(2026, 5, 15)),
    )

    item.refresh_from_db()
    assert item.target_date == datetime.date(2026, 5, 15)
    line = describe(AuditEntry.objects.get(action="plan_item.update"))
    assert line.details == ["Target date: 30 Apr 2026 → 15 May 2026"]


def test_a_met_item_can_be_neither_changed_nor_removed(
    item: PlanItem, amy_portfolio: Portfolio, asha: User
) -> None:
    accept(asha, *submit(add_evidence(amy_portfolio), *item.criteria.all()))
    assert plans.plan_item_met(item)
    message = (
        "This plan item is met: every criterion it covers has accepted evidence, so it stays as "
        "it was agreed. Add a new item for further work."
    )

    with refused(message):
        assessment.plan_item_update(actor=asha, item=item, content=content(*item.criteria.all()))
    with refused(message):
        assessment.plan_item_remove(actor=asha, item=item)


def test_removing_an_item_not_met_deletes_it_and_audits_what_it_was(
    item: PlanItem, asha: User
) -> None:
    assessment.plan_item_remove(actor=asha, item=item)

    assert not PlanItem.objects.exists()
    line = describe(AuditEntry.objects.get(action="plan_item.remove"))
    assert "Activity: “Plan and run the weekly stock rotation”" in line.details


def test_an_item_is_met_only_when_every_criterion_is_met(
    item: PlanItem, amy_portfolio: Portfolio, asha: User, wwo_1_1: AssessmentCriterion
) -> None:
    mappings = submit(add_evidence(amy_portfolio), *item.criteria.all())
    accept(asha, mappings[0])

    [row] = plans.plan_rows(amy_portfolio, today=datetime.date(2026, 5, 1))
    assert (row.met, row.overdue) == (False, True)
    assert plans.overdue_counts([amy_portfolio.pk], today=datetime.date(2026, 5, 1)) == {
        amy_portfolio.pk: 1
    }

    accept(asha, mappings[1])

    [row] = plans.plan_rows(amy_portfolio, today=datetime.date(2026, 5, 1))
    assert (row.met, row.overdue) == (True, False)
    assert plans.overdue_counts([amy_portfolio.pk], today=datetime.date(2026, 5, 1)) == {}


@pytest.mark.parametrize(
    ("today", "overdue"),
    [
        (datetime.date(2026, 4, 29), False),
        (datetime.date(2026, 4, 30), False),  # due today: not overdue yet
        (datetime.date(2026, 5, 1), True),
    ],
)
def test_an_item_is_overdue_from_the_day_after_its_target(
    item: PlanItem, amy_portfolio: Portfolio, today: datetime.date, overdue: bool
) -> None:
    [row] = plans.plan_rows(amy_portfolio, today=today)

    assert row.overdue is overdue
    assert bool(plans.overdue_counts([amy_portfolio.pk], today=today)) is overdue
    assert [r.overdue for r in plans.open_items([amy_portfolio.pk], today=today)] == [overdue]


# When a three-way review is due -----------------------------------------------------------------

START = datetime.date(2026, 1, 5)
DUE = START + datetime.timedelta(weeks=12)  # 30 March 2026


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (DUE - datetime.timedelta(days=15), plans.ReviewState.SCHEDULED),
        (DUE - datetime.timedelta(days=14), plans.ReviewState.DUE),
        (DUE, plans.ReviewState.DUE),
        (DUE + datetime.timedelta(days=1), plans.ReviewState.OVERDUE),
    ],
)
def test_the_next_review_is_due_12_weeks_on_shown_two_weeks_before(
    today: datetime.date, state: str
) -> None:
    due = plans.review_due(start=START, last_review=None, today=today)

    assert due.date == datetime.date(2026, 3, 30)
    assert due.state == state
    assert due.waiting is (state != plans.ReviewState.SCHEDULED)


def test_the_next_review_counts_from_the_last_completed_review_not_an_unsigned_one(
    apprenticeship: Portfolio, amy: User, asha: User, eve: User
) -> None:
    today = datetime.date(2026, 2, 1)
    start = apprenticeship.start_date
    assert plans.reviews_due([apprenticeship], today)[apprenticeship.pk].date == start + (
        datetime.timedelta(weeks=12)
    )
    review = write_review(apprenticeship, held_on=datetime.date(2025, 11, 20))
    for person in (amy, asha):
        assessment.progress_review_sign(actor=person, review=review)

    assert plans.reviews_due([apprenticeship], today)[apprenticeship.pk].date == start + (
        datetime.timedelta(weeks=12)
    )

    assessment.progress_review_sign(actor=eve, review=review)

    due = plans.reviews_due([apprenticeship], today)[apprenticeship.pk]
    assert due.date == datetime.date(2026, 2, 12)
    assert due.state == plans.ReviewState.DUE


def test_a_portfolio_that_is_not_an_apprenticeship_has_no_three_way_review_due(
    amy_portfolio: Portfolio,
) -> None:
    assert plans.reviews_due([amy_portfolio], TODAY) == {}


# Progress reviews ------------------------------------------------------------------------------


def test_each_party_signs_a_three_way_review_in_the_exact_words_and_the_last_completes_it(
    apprenticeship: Portfolio, amy: User, asha: User, eve: User
) -> None:
    review = write_review(apprenticeship)
    assert review.is_three_way
    assert set(Notification.objects.values_list("recipient", flat=True)) >= {amy.pk, eve.pk}
    assert list(plans.awaiting_signature(eve)) == [review]

    for person in (amy, eve):
        assessment.progress_review_sign(actor=person, review=review)
        review.refresh_from_db()
        assert review.completed_at is None
    assessment.progress_review_sign(actor=asha, review=review)

    review.refresh_from_db()
    assert review.completed_at is not None
    signatures = {s.party: s for s in review.signatures.all()}
    assert set(signatures) == {ReviewParty.LEARNER, ReviewParty.EMPLOYER, ReviewParty.PROVIDER}
    assert signatures[ReviewParty.EMPLOYER].signed_by == eve
    assert signatures[ReviewParty.EMPLOYER].wording == (
        "I, Eve Mercer, the employer’s representative, agree that this is a true record of the "
        f"progress review of Amy Archer’s {apprenticeship.qualification.title} held on 20 "
        "November 2025, and I agree to what it says comes next."
    )
    assert not plans.awaiting_signature(eve).exists()
    line = describe(AuditEntry.objects.filter(action="progress_review.sign").order_by("pk").last())
    assert "Every party has now signed: yes" in line.details


def test_a_review_outside_an_apprenticeship_is_signed_by_learner_and_assessor_only(
    amy_portfolio: Portfolio, amy: User, asha: User
) -> None:
    review = write_review(amy_portfolio)
    assessment.progress_review_sign(actor=amy, review=review)
    assessment.progress_review_sign(actor=asha, review=review)

    review.refresh_from_db()
    assert not review.is_three_way
    assert review.completed_at is not None


def test_signing_twice_is_refused(amy_portfolio: Portfolio, amy: User) -> None:
    review = write_review(amy_portfolio)
    assessment.progress_review_sign(actor=amy, review=review)

    with refused("You have already signed this review; there is nothing more to do."):
        assessment.progress_review_sign(actor=amy, review=review)


def test_someone_who_is_not_a_party_cannot_sign(
    apprenticeship: Portfolio, tom: User, ben: User
) -> None:
    review = write_review(apprenticeship)
    message = (
        "Only the learner, their assessor and, for an apprenticeship, the employer contact sign "
        "a progress review."
    )
    for person in (tom, ben):
        with refused(message):
            assessment.progress_review_sign(actor=person, review=review)


def test_the_employer_does_not_sign_a_review_that_is_not_three_way(
    amy_portfolio: Portfolio, eve: User
) -> None:
    review = write_review(amy_portfolio)
    amy_portfolio.employer = eve
    amy_portfolio.save(update_fields=["employer"])

    with refused(
        "This review is not a three-way apprenticeship review: the employer does not sign it."
    ):
        assessment.progress_review_sign(actor=eve, review=review)


def test_a_review_needs_its_text_a_real_date_and_for_an_apprenticeship_an_employer(
    amy_portfolio: Portfolio, apprenticeship: Portfolio
) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    cases = [
        ({"progress": "  "}, "Record the progress made against the plan."),
        ({"next_steps": ""}, "Record what comes next."),
        ({"held_on": tomorrow}, "A review is written after it is held: its date cannot be ahead."),
        (
            {"held_on": datetime.date(2025, 8, 1)},
            "The review cannot be held before the portfolio started.",
        ),
    ]
    for changes, message in cases:
        with refused(message):
            write_review(amy_portfolio, **changes)
        assert not ProgressReview.objects.exists()
    apprenticeship.employer = None
    apprenticeship.save(update_fields=["employer"])
    with pytest.raises(ActionRefused, match="no employer contact"):
        write_review(apprenticeship)
    assert not ProgressReview.objects.exists()


def test_the_employer_contact_home_lists_their_apprentices_only(
    apprenticeship: Portfolio, ben_portfolio: Portfolio, eve: User
) -> None:
    ben_portfolio.employer = eve  # not an apprenticeship: not hers to follow
    ben_portfolio.save(update_fields=["employer"])

    rows = plans.apprentices(eve)

    assert [row.portfolio for row in rows] == [apprenticeship]
    assert rows[0].criteria_total > 0
    assert rows[0].next_review is not None


def test_criteria_of_a_unit_are_grouped_for_the_picker(amy_portfolio: Portfolio, wwo: Unit) -> None:
    from assessment.plan_forms import PlanItemForm

    groups = PlanItemForm(portfolio=amy_portfolio).criteria_groups()

    assert [unit.reference for unit, _ in groups] == ["RS-PDR", "RS-WWO"]
    assert len(dict((u.reference, rows) for u, rows in groups)["RS-WWO"]) == wwo.criteria.count()
