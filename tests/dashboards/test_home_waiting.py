"""The home page answers "what do I do now?" for each role: what waits, in the person's own
scope only, one click from where it is done, in a fixed number of queries; and opening a
notification marks it read."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, Role, User
from assessment.models import Outcome, PlanItem, PlanMethod
from cohorts.models import Cohort
from portfolio.models import Portfolio
from qualifications.models import Unit
from tests.cast import person
from tests.catalogue import criterion
from tests.factories import (
    DecisionFactory,
    EvidenceFactory,
    MappingFactory,
    PortfolioFactory,
    UserFactory,
)
from tests.journeys import add_evidence, declare, meet_unit, refer, submit
from tests.pages import queries_for, text_of

pytestmark = pytest.mark.django_db

HOME = "/"
TODAY = timezone.localdate()

# Today's counts for each home, the same with one row waiting or many.
LEARNER_QUERIES = 25
ASSESSOR_QUERIES = 21
IQA_QUERIES = 12
TUTOR_QUERIES = 21
ADMIN_QUERIES = 11


def home_text(client: Client) -> str:
    response = client.get(reverse("dashboards:home"))
    assert response.status_code == 200
    return text_of(response)


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def overdue_item(portfolio: Portfolio, activity: str, days_late: int = 3) -> PlanItem:
    item = PlanItem.objects.create(
        portfolio=portfolio,
        activity=activity,
        method=PlanMethod.OBSERVATION,
        target_date=TODAY - datetime.timedelta(days=days_late),
        created_by=portfolio.assessor,
    )
    item.criteria.add(criterion("RS-WWO", "2.1"))
    return item


# The learner ------------------------------------------------------------------------------------


def test_a_learner_with_nothing_waiting_is_told_what_to_do(as_amy: Client) -> None:
    text = home_text(as_amy)

    assert "Your next steps" in text
    assert "Nothing is waiting for you. Add evidence" in text
    assert "Waiting for you as assessor" not in text


def test_a_learner_sees_a_unit_ready_to_declare_with_the_declare_link(
    as_amy: Client, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    meet_unit(amy_portfolio, pdr)

    page = as_amy.get(HOME).content.decode()

    declare_url = reverse("assessment:unit_declare", args=[amy_portfolio.pk, pdr.pk])
    assert f'href="{declare_url}">Declare this unit' in page
    # Before the long list of portfolios and the catalogue, not buried at the bottom.
    assert page.index(declare_url) < page.index("Your portfolios")

    declare(amy_portfolio, pdr)
    assert declare_url not in as_amy.get(HOME).content.decode()


def test_a_learner_sees_referrals_with_feedback_and_drafts_to_submit(
    as_amy: Client, amy_portfolio: Portfolio, asha: User
) -> None:
    referred_evidence = add_evidence(amy_portfolio, "Till briefing")
    [mapping] = submit(referred_evidence, criterion("RS-WWO", "1.1"))
    refer(asha, mapping, "Say which customers you spoke to.")
    drafts = add_evidence(amy_portfolio, "Stock rotation notes")
    MappingFactory(evidence=drafts, criterion=criterion("RS-WWO", "1.2"))
    MappingFactory(evidence=drafts, criterion=criterion("RS-WWO", "2.1"))

    page = as_amy.get(HOME).content.decode()
    text = text_of(as_amy.get(HOME))

    assert f'href="{reverse("portfolio:mapping_edit", args=[mapping.pk])}"' in page
    assert "Revise RS-WWO 1.1 on “Till briefing”" in text
    assert "Feedback: Say which customers you spoke to." in text
    assert f'href="{reverse("portfolio:evidence_detail", args=[drafts.pk])}"' in page
    assert "2 draft mappings to submit" in text
    assert "Referred: RS-WWO 1.1 on “Till briefing”" in text  # the latest feedback
    assert "Nothing is waiting for you" not in text


def test_a_learner_never_sees_another_learners_work(
    as_amy: Client, amy_portfolio: Portfolio, ben_portfolio: Portfolio, asha: User, pdr: Unit
) -> None:
    bens = add_evidence(ben_portfolio, "Ben’s window display")
    [mapping] = submit(bens, criterion("RS-WWO", "1.1"))
    refer(asha, mapping)
    MappingFactory(
        evidence=add_evidence(ben_portfolio, "Ben’s draft"), criterion=criterion("RS-WWO", "1.2")
    )
    meet_unit(ben_portfolio, pdr)

    text = home_text(as_amy)

    assert "Ben’s" not in text
    assert "Declare this unit" not in text
    assert "Nothing is waiting for you" in text


# The assessor ------------------------------------------------------------------------------------


def test_an_assessor_sees_waiting_decisions_oldest_first_linked_to_the_review(
    client: Client, asha: User, amy_portfolio: Portfolio, ben_portfolio: Portfolio
) -> None:
    newer = add_evidence(amy_portfolio, "Newer submission")
    older = add_evidence(ben_portfolio, "Older submission")
    submit(older, criterion("RS-WWO", "1.1"))
    submit(newer, criterion("RS-WWO", "1.1"), criterion("RS-WWO", "1.2"))

    page = signed_in(client, asha).get(HOME).content.decode()

    older_link = f'href="{reverse("assessment:evidence_review", args=[older.pk])}"'
    newer_link = f'href="{reverse("assessment:evidence_review", args=[newer.pk])}"'
    assert page.index(older_link) < page.index(newer_link)
    assert "2 mappings, submitted" in page


def test_an_assessor_sees_units_to_sign_off_and_overdue_plan_items(
    client: Client, asha: User, amy_portfolio: Portfolio, ben_portfolio: Portfolio, pdr: Unit
) -> None:
    meet_unit(amy_portfolio, pdr)
    declare(amy_portfolio, pdr)
    meet_unit(ben_portfolio, pdr)  # met, but Ben has not declared it yet
    item = overdue_item(amy_portfolio, "Lead the Saturday briefing")
    met = overdue_item(amy_portfolio, "Already done")
    met.criteria.set([criterion("RS-PDR", "1.1")])

    page = signed_in(client, asha).get(HOME).content.decode()
    text = text_of(client.get(HOME))

    sign_off = reverse("assessment:unit_sign_off", args=[amy_portfolio.pk, pdr.pk])
    assert f'href="{sign_off}"' in page
    assert reverse("assessment:unit_sign_off", args=[ben_portfolio.pk, pdr.pk]) not in page
    assert "1 more unit has every criterion met and waits for the learner’s declaration" in text
    assert f'href="{reverse("assessment:plan_item_edit", args=[item.pk])}"' in page
    assert "Already done" not in text


def test_an_assessor_never_sees_another_assessors_learners(
    client: Client, asha: User, amy_portfolio: Portfolio, centre: Any
) -> None:
    other = person(centre, "Omar Other", Role.ASSESSOR)
    theirs = PortfolioFactory(
        learner=UserFactory(centre=centre, roles=[Role.LEARNER]), assessor=other
    )
    submit(add_evidence(theirs, "Not Asha’s to judge"), criterion("RS-WWO", "1.1"))
    overdue_item(theirs, "Not Asha’s plan")

    text = home_text(signed_in(client, asha))

    assert "Not Asha’s" not in text
    assert "Nothing is waiting for you. New submissions appear here" in text


# The IQA, the tutor and the administrator ------------------------------------------------------


def test_an_iqa_sees_decisions_due_for_sampling_at_their_centre_only(
    client: Client, iris: User, amy_portfolio: Portfolio, oscar: User
) -> None:
    decision = DecisionFactory(
        mapping=MappingFactory(
            evidence=EvidenceFactory(portfolio=amy_portfolio),
            criterion=criterion("RS-WWO", "1.1"),
            status="accepted",
            submitted_at=timezone.now(),
        )
    )
    foreign = PortfolioFactory(
        learner=oscar, assessor=person(oscar.centre, "Fred Foreign", Role.ASSESSOR)
    )
    DecisionFactory(
        mapping=MappingFactory(
            evidence=EvidenceFactory(portfolio=foreign),
            criterion=criterion("RS-WWO", "1.1"),
            status="accepted",
            submitted_at=timezone.now(),
        )
    )

    page = signed_in(client, iris).get(HOME).content.decode()

    assert "Waiting for you as IQA" in page
    assert f'href="{reverse("assessment:decision_sample", args=[decision.pk])}"' in page
    assert page.count('href="/iqa/decisions/') == 1
    assert "Oscar" not in page


def test_an_iqa_with_nothing_to_sample_is_told_so(client: Client, iris: User) -> None:
    assert "Nothing is due for sampling" in home_text(signed_in(client, iris))


def test_a_person_with_two_roles_sees_a_section_for_each(
    client: Client, iris: User, amy_portfolio: Portfolio
) -> None:
    iris.memberships.create(role=Role.ASSESSOR)

    text = home_text(signed_in(client, iris))

    assert "Waiting for you as IQA" in text
    assert "Waiting for you as assessor" in text


def _cohort(tutor: User, name: str) -> Cohort:
    cohort = Cohort.objects.create(centre=tutor.centre, name=name)
    cohort.tutors.add(tutor)
    return cohort


def test_a_tutor_sees_their_learners_at_risk_and_nobody_elses(
    client: Client, tom: User, centre: Any, ocr: Any
) -> None:
    past_end = {
        "start_date": TODAY - datetime.timedelta(days=400),
        "planned_end_date": TODAY - datetime.timedelta(days=10),
    }
    mine = PortfolioFactory(
        learner=person(centre, "Rita Risk", Role.LEARNER), cohort=_cohort(tom, "Mine"), **past_end
    )
    other_tutor = person(centre, "Tess Other", Role.TUTOR)
    PortfolioFactory(
        learner=person(centre, "Nora Notmine", Role.LEARNER),
        cohort=_cohort(other_tutor, "Theirs"),
        **past_end,
    )

    page = signed_in(client, tom).get(HOME).content.decode()

    assert "Learners at risk" in page
    assert f'href="{reverse("assessment:portfolio_detail", args=[mine.pk])}"' in page
    assert "Rita Risk" in page
    assert "Nora Notmine" not in page


def test_a_tutor_with_nobody_at_risk_is_told_so(client: Client, tom: User) -> None:
    assert "No learner you teach is at risk." in home_text(signed_in(client, tom))


def _invited(centre: Any, name: str) -> User:
    invited = person(centre, name, Role.LEARNER)
    invited.set_unusable_password()
    invited.save(update_fields=["password"])
    return invited


def test_an_administrator_sees_invitations_and_learners_without_an_assessor(
    client: Client, ada: User, centre: Any, oscar: User, ocr: Any
) -> None:
    invited = _invited(centre, "Ivy Invited")
    joined = _invited(centre, "Jo Joined")
    joined.last_login = timezone.now()
    joined.save(update_fields=["last_login"])
    _invited(oscar.centre, "Fiona Foreign")
    unassigned = PortfolioFactory(learner=invited)
    PortfolioFactory(learner=oscar)  # another centre's, also without an assessor

    page = signed_in(client, ada).get(HOME).content.decode()

    assert f'href="{reverse("accounts:person_detail", args=[invited.pk])}"' in page
    assert "Jo Joined" not in page
    assert "Fiona Foreign" not in page
    assert f'href="{reverse("enrolment:portfolio_reassign", args=[unassigned.pk])}"' in page
    assert "Oscar" not in page


def test_an_administrator_with_nothing_waiting_is_told_so(client: Client, ada: User) -> None:
    assert "every learner has an assessor" in home_text(signed_in(client, ada))


# Query counts: the same for one row waiting and for many -----------------------------------------


def _same_queries(
    client: Client,
    user: User,
    pinned: int,
    grow: Callable[[], None],
    assert_max: Callable[..., Any],
) -> None:
    client.force_login(user)
    client.get(HOME)  # warm any per-process caches
    with assert_max(pinned):
        small = queries_for(client, HOME)
    grow()
    with assert_max(pinned):
        large = queries_for(client, HOME)
    assert large == small


def _learner_work(portfolio: Portfolio, n: int) -> None:
    for i in range(n):
        evidence = EvidenceFactory(portfolio=portfolio, title=f"Work {i}")
        MappingFactory(evidence=evidence, criterion=criterion("RS-WWO", "1.1"), referred=True)
        MappingFactory(evidence=evidence, criterion=criterion("RS-WWO", "1.2"))


def test_the_learners_home_runs_the_same_queries_for_one_item_or_many(
    client: Client,
    amy: User,
    amy_portfolio: Portfolio,
    pdr: Unit,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    _learner_work(amy_portfolio, 1)
    meet_unit(amy_portfolio, pdr)
    overdue_item(amy_portfolio, "One")

    def grow() -> None:
        _learner_work(amy_portfolio, 12)
        meet_unit(amy_portfolio, Unit.objects.get(reference="RS-WWO"))
        for i in range(8):
            overdue_item(amy_portfolio, f"More {i}")

    _same_queries(client, amy, LEARNER_QUERIES, grow, django_assert_max_num_queries)
    page = client.get(HOME).content.decode()
    assert page.count(">Declare this unit") == 2
    library = reverse("portfolio:evidence_library", args=[amy_portfolio.pk])
    assert f'href="{library}?status=referred">See all 13 referrals' in page
    assert f'href="{library}?status=draft">See all 13 evidence items with drafts' in page


def test_the_assessors_home_runs_the_same_queries_for_one_learner_or_many(
    client: Client,
    asha: User,
    centre: Any,
    ocr: Any,
    pdr: Unit,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    def learners(n: int) -> None:
        for _ in range(n):
            portfolio = PortfolioFactory(
                learner=UserFactory(centre=centre, roles=[Role.LEARNER]), assessor=asha
            )
            evidence = EvidenceFactory(portfolio=portfolio)
            MappingFactory(evidence=evidence, criterion=criterion("RS-WWO", "1.1"), submitted=True)
            meet_unit(portfolio, pdr)
            declare(portfolio, pdr)
            overdue_item(portfolio, "Briefing")

    learners(1)
    _same_queries(
        client, asha, ASSESSOR_QUERIES, lambda: learners(7), django_assert_max_num_queries
    )
    text = home_text(client)
    assert text.count("See all 8 on your caseload") == 3


def test_the_iqas_home_runs_the_same_queries_for_one_decision_or_many(
    client: Client,
    iris: User,
    amy_portfolio: Portfolio,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    def decisions(n: int) -> None:
        for _ in range(n):
            DecisionFactory(
                mapping=MappingFactory(
                    evidence=EvidenceFactory(portfolio=amy_portfolio),
                    criterion=criterion("RS-WWO", "1.1"),
                    status="accepted",
                    submitted_at=timezone.now(),
                ),
                outcome=Outcome.ACCEPTED,
            )

    decisions(1)
    _same_queries(client, iris, IQA_QUERIES, lambda: decisions(60), django_assert_max_num_queries)


def test_the_tutors_home_runs_the_same_queries_for_one_learner_or_many(
    client: Client,
    tom: User,
    centre: Any,
    ocr: Any,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    cohort = _cohort(tom, "Evening")

    def learners(n: int) -> None:
        for _ in range(n):
            portfolio = PortfolioFactory(
                learner=UserFactory(centre=centre, roles=[Role.LEARNER]),
                cohort=cohort,
                start_date=TODAY - datetime.timedelta(days=400),
                planned_end_date=TODAY - datetime.timedelta(days=1),
            )
            EvidenceFactory(portfolio=portfolio)

    learners(1)
    _same_queries(client, tom, TUTOR_QUERIES, lambda: learners(9), django_assert_max_num_queries)
    assert "See all 10 on your cohort dashboards" in home_text(client)


def test_the_administrators_home_runs_the_same_queries_for_one_row_or_many(
    client: Client,
    ada: User,
    centre: Any,
    ocr: Any,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    def rows(n: int) -> None:
        for _ in range(n):
            invited = UserFactory(centre=centre, roles=[Role.LEARNER])
            invited.set_unusable_password()
            invited.save(update_fields=["password"])
            PortfolioFactory(learner=invited)

    rows(1)
    _same_queries(client, ada, ADMIN_QUERIES, lambda: rows(9), django_assert_max_num_queries)
    text = home_text(client)
    assert "See all learners" in text and "See everyone at" in text


# Notifications -----------------------------------------------------------------------------------


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(
    as_amy: Client, amy: User
) -> None:
    notification = Notification.objects.create(
        recipient=amy, message="Asha assessed your evidence.", link="/portfolios/"
    )
    listed = as_amy.get(reverse("accounts:notification_list")).content.decode()
    opener = reverse("accounts:notification_open", args=[notification.pk])
    assert f'href="{opener}"' in listed

    response = as_amy.get(opener)

    assert response.status_code == 302
    assert response["Location"] == "/portfolios/"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize(
    "link", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"]
)
def test_a_notification_never_redirects_off_the_site(as_amy: Client, amy: User, link: str) -> None:
    notification = Notification.objects.create(recipient=amy, message="Odd link.", link=link)

    response = as_amy.get(reverse("accounts:notification_open", args=[notification.pk]))

    assert response["Location"] == reverse("accounts:notification_list")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_someone_elses_notification_is_not_found_and_stays_unread(
    as_amy: Client, asha: User
) -> None:
    theirs = Notification.objects.create(recipient=asha, message="For Asha.", link="/assess/")

    response = as_amy.get(reverse("accounts:notification_open", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
