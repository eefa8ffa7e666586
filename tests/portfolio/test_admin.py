"""The admin cannot change a portfolio behind the audit trail's back."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Centre, Role, User
from portfolio.models import AuditEntry, Portfolio
from tests.cast import person
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator() -> User:
    return UserFactory(email="operator@example.org", centre=None, is_staff=True, is_superuser=True)


def _change_form(portfolio: Portfolio, **changes: object) -> dict[str, object]:
    """Everything the admin's change form for the portfolio would post, with `changes`."""
    fields = {
        "learner": portfolio.learner_id,
        "centre": portfolio.centre_id,
        "qualification": portfolio.qualification_id,
        "assessor": portfolio.assessor_id,
        "tutor": portfolio.tutor_id or "",
        "cohort": portfolio.cohort_id or "",
        "start_date": portfolio.start_date.isoformat(),
        "planned_end_date": portfolio.planned_end_date.isoformat(),
        "_save": "Save",
    }
    return {**fields, **changes}


def test_reassigning_a_portfolio_in_the_admin_changes_nothing(
    client: Client, operator: User, amy_portfolio: Portfolio, centre: Centre
) -> None:
    other_assessor = person(centre, "Abel Assessor", Role.ASSESSOR)
    audit_before = AuditEntry.objects.count()
    client.force_login(operator)

    client.post(
        reverse("admin:portfolio_portfolio_change", args=[amy_portfolio.pk]),
        _change_form(amy_portfolio, assessor=other_assessor.pk, planned_end_date="2030-01-31"),
    )

    unchanged = Portfolio.objects.get(pk=amy_portfolio.pk)
    assert unchanged.assessor_id == amy_portfolio.assessor_id
    assert unchanged.planned_end_date == amy_portfolio.planned_end_date
    assert AuditEntry.objects.count() == audit_before


def test_the_admin_cannot_add_or_delete_a_portfolio(
    client: Client, operator: User, amy_portfolio: Portfolio
) -> None:
    client.force_login(operator)

    added = client.post(reverse("admin:portfolio_portfolio_add"), _change_form(amy_portfolio))
    deleted = client.post(
        reverse("admin:portfolio_portfolio_delete", args=[amy_portfolio.pk]), {"post": "yes"}
    )

    assert added.status_code == 403
    assert deleted.status_code == 403
    assert Portfolio.objects.filter(pk=amy_portfolio.pk).exists()


def test_the_admin_shows_a_portfolio_and_points_to_the_enrolment_pages(
    client: Client, operator: User, amy_portfolio: Portfolio
) -> None:
    client.force_login(operator)

    page = client.get(reverse("admin:portfolio_portfolio_change", args=[amy_portfolio.pk]))

    assert page.status_code == 200
    text = page.content.decode()
    assert amy_portfolio.learner.full_name in text
    assert "Enrolment" in text
