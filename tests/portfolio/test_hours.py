"""Off-the-job hours: logging and its refusals, confirming and querying, the pace rule at its
boundaries, and the pages."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Centre, Notification, Role, User
from portfolio.errors import ActionRefused
from portfolio.hours import BEHIND_TOLERANCE_WEEKS, elapsed_fraction, pace
from portfolio.models import AuditEntry, OffTheJobEntry, OffTheJobStatus, Portfolio
from portfolio.services import hours as services
from tests.cast import person
from tests.factories import EvidenceFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


@pytest.fixture
def apprenticeship(amy_portfolio: Portfolio, eve: User) -> Portfolio:
    """Amy's portfolio as an apprenticeship that started ten weeks ago, Eve her employer."""
    amy_portfolio.is_apprenticeship = True
    amy_portfolio.employer = eve
    amy_portfolio.off_the_job_planned_hours = 100
    amy_portfolio.start_date = TODAY - datetime.timedelta(weeks=10)
    amy_portfolio.planned_end_date = TODAY + datetime.timedelta(weeks=40)
    amy_portfolio.save()
    return amy_portfolio


def log(portfolio: Portfolio, hours: str = "3.5", day: datetime.date = YESTERDAY, **extra):
    return services.hours_log(
        actor=portfolio.learner,
        portfolio=portfolio,
        date=day,
        hours=Decimal(hours),
        activity=extra.pop("activity", "Product knowledge course"),
        **extra,
    )


# Logging -------------------------------------------------------------------------------------


def test_logging_records_the_entry_audits_it_and_tells_the_employer(
    apprenticeship: Portfolio, eve: User
) -> None:
    entry = log(apprenticeship, "7.25")
    assert entry.status == OffTheJobStatus.LOGGED
    assert entry.hours == Decimal("7.25")
    audit = AuditEntry.objects.get(action="hours.log")
    assert audit.changes["after"]["hours"] == "7.25"
    assert Notification.objects.filter(recipient=eve, message__contains="7.25").exists()


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("-1", "more than 0"),
        ("0", "more than 0"),
        ("24.5", "no more than 24"),
        ("1.255", "two decimal places"),
    ],
)
def test_bad_hours_are_refused_and_nothing_is_saved(
    apprenticeship: Portfolio, hours: str, message: str
) -> None:
    with pytest.raises(services.HoursRefused, match=message) as refused:
        log(apprenticeship, hours)
    assert refused.value.field == "hours"
    assert not OffTheJobEntry.objects.exists()
    assert not AuditEntry.objects.filter(action="hours.log").exists()


def test_a_date_in_the_future_is_refused(apprenticeship: Portfolio) -> None:
    with pytest.raises(services.HoursRefused, match="cannot be in the future"):
        log(apprenticeship, day=TODAY + datetime.timedelta(days=1))
    assert not OffTheJobEntry.objects.exists()


def test_today_is_allowed(apprenticeship: Portfolio) -> None:
    assert log(apprenticeship, day=TODAY).date == TODAY


def test_a_date_before_the_start_is_refused(apprenticeship: Portfolio) -> None:
    with pytest.raises(services.HoursRefused, match="before the apprenticeship started"):
        log(apprenticeship, day=apprenticeship.start_date - datetime.timedelta(days=1))
    assert log(apprenticeship, day=apprenticeship.start_date).date == apprenticeship.start_date


def test_a_portfolio_that_is_not_an_apprenticeship_has_no_hours(amy_portfolio: Portfolio) -> None:
    with pytest.raises(ActionRefused, match="only on an apprenticeship"):
        log(amy_portfolio)
    assert not OffTheJobEntry.objects.exists()


def test_a_day_holds_exactly_24_hours_counting_its_other_entries(
    apprenticeship: Portfolio,
) -> None:
    log(apprenticeship, "16")
    log(apprenticeship, "7.75")
    log(apprenticeship, "0.25")  # exactly 24
    with pytest.raises(services.HoursRefused, match="already logged 24 hours") as refused:
        log(apprenticeship, "0.01")
    assert "Enter at most 0" in refused.value.message
    assert OffTheJobEntry.objects.count() == 3
    # Another day is its own 24 hours.
    assert log(apprenticeship, "8", day=YESTERDAY - datetime.timedelta(days=1))


def test_the_refusal_says_how_many_hours_are_left_that_day(apprenticeship: Portfolio) -> None:
    log(apprenticeship, "20")
    with pytest.raises(services.HoursRefused, match=r"make 25.*Enter at most 4"):
        log(apprenticeship, "5")


def test_evidence_from_another_portfolio_is_refused(
    apprenticeship: Portfolio, ben_portfolio: Portfolio
) -> None:
    with pytest.raises(services.HoursRefused, match="this portfolio only"):
        log(apprenticeship, evidence=EvidenceFactory(portfolio=ben_portfolio))
    assert log(apprenticeship, evidence=EvidenceFactory(portfolio=apprenticeship)).evidence


def test_only_the_apprentice_logs(apprenticeship: Portfolio, eve: User, asha: User) -> None:
    for someone in (eve, asha):
        with pytest.raises(ActionRefused, match="Only the apprentice"):
            services.hours_log(
                actor=someone,
                portfolio=apprenticeship,
                date=YESTERDAY,
                hours=Decimal(1),
                activity="x",
            )


def test_an_empty_description_is_refused(apprenticeship: Portfolio) -> None:
    with pytest.raises(services.HoursRefused, match="Say what you did"):
        log(apprenticeship, activity="   ")


# Confirming and querying ---------------------------------------------------------------------


def test_the_employer_confirms_and_the_entry_is_then_fixed(
    apprenticeship: Portfolio, eve: User, amy: User
) -> None:
    entry = services.hours_confirm(actor=eve, entry=log(apprenticeship))
    assert entry.status == OffTheJobStatus.CONFIRMED
    assert entry.confirmed_by == eve and entry.confirmed_at
    assert AuditEntry.objects.filter(action="hours.confirm", actor=eve).count() == 1
    with pytest.raises(ActionRefused, match="confirmed, so they can no longer change"):
        services.hours_correct(
            actor=amy, entry=entry, date=YESTERDAY, hours=Decimal(1), activity="Changed"
        )
    with pytest.raises(ActionRefused, match="already confirmed"):
        services.hours_confirm(actor=eve, entry=entry)
    entry.refresh_from_db()
    assert entry.hours == Decimal("3.5")


def test_the_assessor_may_confirm_but_the_tutor_and_learner_may_not(
    apprenticeship: Portfolio, asha: User, tom: User, amy: User
) -> None:
    entry = log(apprenticeship)
    for someone in (tom, amy):
        with pytest.raises(ActionRefused, match="employer contact or assessor"):
            services.hours_confirm(actor=someone, entry=entry)
    assert services.hours_confirm(actor=asha, entry=entry).confirmed_by == asha


def test_an_employer_of_another_apprentice_may_not_confirm(
    apprenticeship: Portfolio, centre: Centre
) -> None:
    other = person(centre, "Owen Other", Role.EMPLOYER)
    with pytest.raises(ActionRefused):
        services.hours_confirm(actor=other, entry=log(apprenticeship))


def test_a_query_goes_back_to_the_learner_who_corrects_and_resends(
    apprenticeship: Portfolio, eve: User, amy: User
) -> None:
    entry = log(apprenticeship, "8")
    with pytest.raises(ActionRefused, match="Say what is wrong"):
        services.hours_query(actor=eve, entry=entry, reason=" ")
    entry = services.hours_query(actor=eve, entry=entry, reason="It was a half day.")
    assert entry.status == OffTheJobStatus.QUERIED
    assert Notification.objects.filter(recipient=amy, message__contains="queried").exists()
    with pytest.raises(ActionRefused, match="were queried"):
        services.hours_confirm(actor=eve, entry=entry)
    entry = services.hours_correct(
        actor=amy, entry=entry, date=entry.date, hours=Decimal(4), activity="Half-day course"
    )
    assert entry.status == OffTheJobStatus.LOGGED and entry.hours == Decimal(4)
    audit = AuditEntry.objects.get(action="hours.correct")
    assert audit.changes["before"]["hours"] == "8" and audit.changes["after"]["hours"] == "4"
    assert services.hours_confirm(actor=eve, entry=entry).is_confirmed


def test_correcting_counts_the_days_other_entries_but_not_itself(
    apprenticeship: Portfolio, amy: User
) -> None:
    log(apprenticeship, "16")
    entry = log(apprenticeship, "8")
    with pytest.raises(services.HoursRefused, match="no day has more than 24"):
        services.hours_correct(
            actor=amy, entry=entry, date=entry.date, hours=Decimal(9), activity="x"
        )
    assert services.hours_correct(
        actor=amy, entry=entry, date=entry.date, hours=Decimal(8), activity="Same"
    )


# Pace ----------------------------------------------------------------------------------------

START = datetime.date(2026, 1, 5)
END = START + datetime.timedelta(weeks=50)


def pace_on(today: datetime.date, confirmed: str = "0", logged: str | None = None):
    return pace(
        planned=500,
        start=START,
        end=END,
        today=today,
        logged=Decimal(logged or confirmed),
        confirmed=Decimal(confirmed),
    )


def test_the_weekly_pace_is_the_planned_total_over_the_programme_weeks() -> None:
    assert pace_on(START).weekly == Decimal(10)
    assert pace_on(START).tolerance == Decimal(10) * BEHIND_TOLERANCE_WEEKS


def test_nothing_is_expected_before_or_at_the_start_and_everything_at_the_end() -> None:
    assert pace_on(START - datetime.timedelta(days=30)).expected == 0
    assert pace_on(START).expected == 0
    assert pace_on(END).expected == 500
    assert pace_on(END + datetime.timedelta(days=100)).expected == 500


def test_expected_grows_with_the_time_passed() -> None:
    assert pace_on(START + datetime.timedelta(weeks=10)).expected == Decimal(100)


def test_behind_only_when_more_than_the_tolerance_short_of_expected() -> None:
    ten_weeks = START + datetime.timedelta(weeks=10)  # expected 100, tolerance 20
    assert not pace_on(ten_weeks, "80").behind  # exactly at the tolerance
    assert pace_on(ten_weeks, "79.99").behind
    assert pace_on(ten_weeks, "79.99").shortfall == Decimal("20.01")
    assert not pace_on(ten_weeks, "150").behind
    assert pace_on(ten_weeks, "150").shortfall == 0


def test_logged_hours_do_not_count_until_confirmed() -> None:
    ten_weeks = START + datetime.timedelta(weeks=10)
    waiting = pace_on(ten_weeks, confirmed="0", logged="100")
    assert waiting.behind and waiting.waiting == Decimal(100)


def test_a_programme_of_one_day_is_all_expected_from_its_start() -> None:
    assert elapsed_fraction(START, START, START) == 1
    assert elapsed_fraction(START, START, START - datetime.timedelta(days=1)) == 0


# Pages ---------------------------------------------------------------------------------------


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_learner_logs_hours_on_the_page(apprenticeship: Portfolio, amy: User) -> None:
    url = reverse("portfolio:hours_list", args=[apprenticeship.pk])
    response = client_for(amy).post(
        url, {"date": YESTERDAY.isoformat(), "hours": "2.5", "activity": "Webinar"}
    )
    assert response.status_code == 302
    assert OffTheJobEntry.objects.get().hours == Decimal("2.5")


def test_a_refusal_is_shown_on_its_field_and_keeps_what_was_typed(
    apprenticeship: Portfolio, amy: User
) -> None:
    url = reverse("portfolio:hours_list", args=[apprenticeship.pk])
    response = client_for(amy).post(
        url, {"date": YESTERDAY.isoformat(), "hours": "30", "activity": "Too long a day"}
    )
    assert response.status_code == 200
    assert "enter no more than 24" in response.context["form"].errors["hours"][0]
    assert "Too long a day" in response.content.decode()
    assert not OffTheJobEntry.objects.exists()


def test_the_employer_confirms_from_the_page(apprenticeship: Portfolio, eve: User) -> None:
    entry = log(apprenticeship)
    page = client_for(eve).get(reverse("portfolio:hours_list", args=[apprenticeship.pk]))
    assert reverse("portfolio:hours_confirm", args=[entry.pk]) in page.content.decode()
    client_for(eve).post(reverse("portfolio:hours_confirm", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.confirmed_by == eve


def test_the_page_shows_the_pace(apprenticeship: Portfolio, eve: User) -> None:
    # 100 hours over 50 weeks: 2 a week, 20 expected after 10 weeks, 4 hours' allowance.
    services.hours_confirm(actor=eve, entry=log(apprenticeship, "16"))
    log(apprenticeship, "3", day=YESTERDAY - datetime.timedelta(days=1))
    url = reverse("portfolio:hours_list", args=[apprenticeship.pk])
    page = client_for(eve).get(url)
    assert page.context["pace"].confirmed == Decimal(16)
    assert page.context["pace"].logged == Decimal(19)
    assert page.context["pace"].expected == Decimal(20)
    assert ">On pace<" in page.content.decode()
    OffTheJobEntry.objects.filter(hours=16).update(hours=Decimal("15.99"))
    assert ">Behind<" in client_for(eve).get(url).content.decode()


def test_the_hours_page_of_a_portfolio_that_is_not_an_apprenticeship_is_not_found(
    amy_portfolio: Portfolio, amy: User
) -> None:
    page = client_for(amy).get(reverse("portfolio:hours_list", args=[amy_portfolio.pk]))
    assert page.status_code == 404


def test_the_hours_page_runs_a_fixed_number_of_queries(
    apprenticeship: Portfolio, eve: User, django_assert_max_num_queries
) -> None:
    url = reverse("portfolio:hours_list", args=[apprenticeship.pk])
    client = client_for(eve)
    log(apprenticeship, "1", day=YESTERDAY)
    with django_assert_max_num_queries(7):
        client.get(url)
    for days in range(2, 30):
        services.hours_confirm(
            actor=eve, entry=log(apprenticeship, "1", day=TODAY - datetime.timedelta(days=days))
        )
    with django_assert_max_num_queries(7):
        client.get(url)
