"""The apprenticeship settings: whether a portfolio is one, its employer contact (existing, or
a new account invited like a learner) and its planned off-the-job hours."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, Role, User
from enrolment import services
from enrolment.services import EnrolmentRefused, NewPerson
from portfolio.models import AuditEntry, OffTheJobEntry, Portfolio
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def settings_for(ada: User, portfolio: Portfolio, **changes: Any) -> Portfolio:
    return services.portfolio_apprenticeship(
        actor=ada,
        portfolio=portfolio,
        **{"is_apprenticeship": True, "planned_hours": 278, **changes},
    )


def test_an_existing_employer_contact_is_named_told_and_audited(
    ada: User, eve: User, amy_portfolio: Portfolio
) -> None:
    portfolio = settings_for(ada, amy_portfolio, employer=eve)
    portfolio.refresh_from_db()
    assert (
        portfolio.is_apprenticeship,
        portfolio.employer,
        portfolio.off_the_job_planned_hours,
    ) == (
        True,
        eve,
        278,
    )
    audit = AuditEntry.objects.get(action="portfolio.apprenticeship")
    assert audit.changes["before"]["apprenticeship"] is False
    assert audit.changes["after"] == {
        "apprenticeship": True,
        "employer": str(eve),
        "planned_hours": 278,
    }
    assert Notification.objects.filter(recipient=eve, message__contains="employer contact").exists()
    # Eve now sees Amy's portfolio.
    assert Portfolio.objects.visible_to(eve).filter(pk=amy_portfolio.pk).exists()


def test_saving_the_same_settings_again_records_nothing(
    ada: User, eve: User, amy_portfolio: Portfolio
) -> None:
    settings_for(ada, amy_portfolio, employer=eve)
    settings_for(ada, amy_portfolio, employer=eve)
    assert AuditEntry.objects.filter(action="portfolio.apprenticeship").count() == 1


def test_a_new_employer_contact_gets_an_account_and_the_learners_invitation(
    ada: User, amy_portfolio: Portfolio, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        settings_for(ada, amy_portfolio, new_employer=NewPerson("Gina  Grant", "Gina@Shop.example"))
    gina = User.objects.get(email="gina@shop.example")
    assert gina.full_name == "Gina Grant" and gina.has_role(Role.EMPLOYER)
    assert not gina.has_usable_password()
    [invitation] = mail.outbox
    assert invitation.to == ["gina@shop.example"]
    assert "employer contact for Amy Archer" in invitation.body
    assert re.search(r"http://\S+/password-reset/\S+/", invitation.body)
    assert AuditEntry.objects.get().changes["after"]["new_account"] is True


def test_a_person_of_this_centre_named_as_new_is_given_the_role_not_a_second_account(
    ada: User, tom: User, amy_portfolio: Portfolio
) -> None:
    settings_for(ada, amy_portfolio, new_employer=NewPerson("Tom", tom.email.upper()))
    assert tom.has_role(Role.EMPLOYER)
    assert User.objects.filter(email__iexact=tom.email).count() == 1


def test_someone_at_another_centre_cannot_be_named(
    ada: User, oscar: User, amy_portfolio: Portfolio
) -> None:
    with pytest.raises(EnrolmentRefused, match="another centre") as refused:
        settings_for(ada, amy_portfolio, new_employer=NewPerson("Oscar", oscar.email))
    assert refused.value.field == "new_employer_email"
    amy_portfolio.refresh_from_db()
    assert not amy_portfolio.is_apprenticeship


def test_the_chosen_employer_must_hold_the_role_at_this_centre(
    ada: User, tom: User, amy_portfolio: Portfolio
) -> None:
    with pytest.raises(EnrolmentRefused, match="employer contact of this centre"):
        settings_for(ada, amy_portfolio, employer=tom)


def test_planned_hours_are_required_and_positive(ada: User, amy_portfolio: Portfolio) -> None:
    for planned in (None, 0, -5):
        with pytest.raises(EnrolmentRefused, match="planned off-the-job hours"):
            settings_for(ada, amy_portfolio, planned_hours=planned)
    assert not AuditEntry.objects.exists()


def test_only_an_administrator_changes_the_settings(
    asha: User, eve: User, amy_portfolio: Portfolio
) -> None:
    with pytest.raises(EnrolmentRefused, match="centre administrators"):
        settings_for(asha, amy_portfolio, employer=eve)


def test_an_apprenticeship_with_hours_logged_stays_one(
    ada: User, eve: User, amy_portfolio: Portfolio
) -> None:
    settings_for(ada, amy_portfolio, employer=eve)
    OffTheJobEntry.objects.create(
        portfolio=amy_portfolio,
        date=datetime.date(2025, 10, 1),
        hours=Decimal(2),
        activity="Course",
        logged_by=amy_portfolio.learner,
    )
    with pytest.raises(EnrolmentRefused, match="stays an apprenticeship"):
        settings_for(ada, amy_portfolio, is_apprenticeship=False, planned_hours=None)


def test_turning_it_off_clears_the_employer_and_the_plan(
    ada: User, eve: User, amy_portfolio: Portfolio
) -> None:
    settings_for(ada, amy_portfolio, employer=eve)
    portfolio = settings_for(ada, amy_portfolio, is_apprenticeship=False, planned_hours=None)
    assert (portfolio.employer, portfolio.off_the_job_planned_hours) == (None, None)


def test_the_page_saves_and_shows_problems_on_their_fields(
    ada: User, eve: User, amy_portfolio: Portfolio
) -> None:
    client = Client()
    client.force_login(ada)
    url = reverse("enrolment:portfolio_apprenticeship", args=[amy_portfolio.pk])
    page = client.post(url, {"is_apprenticeship": "on", "planned_hours": "", "employer": eve.pk})
    assert page.status_code == 200
    assert "planned_hours" in page.context["form"].errors
    page = client.post(url, {"is_apprenticeship": "on", "new_employer_name": "Gina"})
    assert "new_employer_email" in page.context["form"].errors
    page = client.post(url, {"is_apprenticeship": "on", "planned_hours": "300", "employer": eve.pk})
    assert page.status_code == 302
    amy_portfolio.refresh_from_db()
    assert amy_portfolio.employer == eve and amy_portfolio.off_the_job_planned_hours == 300
    learners = client.get(reverse("enrolment:learner_list")).content.decode()
    assert url in learners


def test_an_employer_of_another_centre_is_not_offered(
    ada: User, eve: User, amy_portfolio: Portfolio, oscar: User
) -> None:
    stranger = UserFactory(centre=oscar.centre, roles=[Role.EMPLOYER])
    client = Client()
    client.force_login(ada)
    page = client.get(reverse("enrolment:portfolio_apprenticeship", args=[amy_portfolio.pk]))
    offered = list(page.context["form"].fields["employer"].queryset)
    assert eve in offered and stranger not in offered
