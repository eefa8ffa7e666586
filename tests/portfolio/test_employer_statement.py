"""The employer contact's witness statement, given from their account without a link: the
same statement, declaration, evidence, audit and notices as one given by link."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, User
from portfolio.errors import ActionRefused
from portfolio.models import AuditEntry, EvidenceType, Portfolio, WitnessStatement
from portfolio.services import witness

pytestmark = pytest.mark.django_db


@pytest.fixture
def apprenticeship(amy_portfolio: Portfolio, eve: User) -> Portfolio:
    amy_portfolio.is_apprenticeship = True
    amy_portfolio.employer = eve
    amy_portfolio.save()
    return amy_portfolio


def give(actor: User, portfolio: Portfolio, **extra: Any) -> WitnessStatement:
    return witness.witness_statement_by_employer(
        actor=actor,
        portfolio=portfolio,
        **{
            "job_title": "Department manager",
            "relationship": "Line manager",
            "observed": "Amy ran the promotion.",
            "observed_on": timezone.localdate() - datetime.timedelta(days=1),
            "activities": "A promotion",
            "signed_name": "Eve Mercer",
            "declared": True,
            **extra,
        },
    )


def test_the_employer_contacts_statement_becomes_witness_evidence(
    apprenticeship: Portfolio, eve: User, amy: User, asha: User
) -> None:
    statement = give(eve, apprenticeship)
    assert statement.request is None and statement.author == eve
    assert (statement.witness_name, statement.witness_email) == (eve.full_name, eve.email)
    assert statement.declaration == witness.WITNESS_DECLARATION
    assert statement.evidence.type == EvidenceType.WITNESS_TESTIMONY
    assert statement.evidence.portfolio == apprenticeship
    audit = AuditEntry.objects.get(action="witness.submit")
    assert audit.actor == eve and audit.changes["after"]["job_title"] == "Department manager"
    assert {n.recipient for n in Notification.objects.all()} == {amy, asha}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"declared": False}, "Tick the declaration"),
        ({"observed": " "}, "Describe what you saw"),
        ({"observed_on": timezone.localdate() + datetime.timedelta(days=1)}, "future"),
        ({"job_title": ""}, "job title"),
    ],
)
def test_the_same_checks_refuse_and_nothing_is_saved(
    apprenticeship: Portfolio, eve: User, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ActionRefused, match=message):
        give(eve, apprenticeship, **change)
    assert not WitnessStatement.objects.exists()
    assert not apprenticeship.evidence.exists()


def test_only_the_apprentices_employer_contact_may_give_one(
    apprenticeship: Portfolio, amy_portfolio: Portfolio, tom: User, asha: User
) -> None:
    for someone in (tom, asha, apprenticeship.learner):
        with pytest.raises(ActionRefused, match="employer contact"):
            give(someone, apprenticeship)
    assert not WitnessStatement.objects.exists()


def test_the_assessor_sees_it_was_given_from_the_employers_account(
    apprenticeship: Portfolio, eve: User, asha: User
) -> None:
    statement = give(eve, apprenticeship)
    client = Client()
    client.force_login(asha)
    page = client.get(reverse("assessment:evidence_review", args=[statement.evidence_id]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "From their own account, as the apprentice’s employer contact" in text
    assert "Judge whether this witness is suitable" in text


def test_the_page_gives_the_statement_and_shows_the_evidence(
    apprenticeship: Portfolio, eve: User
) -> None:
    client = Client()
    client.force_login(eve)
    url = reverse("portfolio:employer_statement", args=[apprenticeship.pk])
    assert (
        "Give a witness statement"
        in client.get(
            reverse("assessment:portfolio_detail", args=[apprenticeship.pk])
        ).content.decode()
    )
    refused = client.post(url, {"job_title": "Manager"})
    assert refused.status_code == 200 and not WitnessStatement.objects.exists()
    done = client.post(
        url,
        {
            "job_title": "Manager",
            "relationship": "Line manager",
            "observed": "Served well.",
            "observed_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
            "activities": "Tills",
            "signed_name": "Eve Mercer",
            "declared": "on",
        },
    )
    statement = WitnessStatement.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("portfolio:evidence_detail", args=[statement.evidence_id])
