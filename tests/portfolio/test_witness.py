"""Witness testimony by link: asking, the single-use link, the statement as evidence, and
every way a link can stop working without revealing the portfolio."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, User
from assessment import services as assessment
from assessment.models import Outcome
from portfolio import services
from portfolio.audit import describe
from portfolio.errors import ActionRefused
from portfolio.models import (
    AuditEntry,
    EvidenceType,
    MappingStatus,
    Portfolio,
    WitnessRequest,
    WitnessStatement,
)
from portfolio.services import witness
from portfolio.views.witness import WITNESS_LINK_TRIES_PER_MINUTE
from qualifications.models import AssessmentCriterion
from tests.files import jpeg_upload

pytestmark = pytest.mark.django_db

WITNESS = witness.Witness(
    name="Priya Patel",
    job_title="Store manager",
    relationship="Amy's line manager",
    email="priya@shop.example",
)
YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def ask(
    amy: User, amy_portfolio: Portfolio, django_capture_on_commit_callbacks: Any
) -> Callable[..., tuple[WitnessRequest, str]]:
    def ask(actor: User | None = None, **extra: Any) -> tuple[WitnessRequest, str]:
        with django_capture_on_commit_callbacks(execute=True):
            return witness.witness_request_create(
                actor=actor or amy,
                portfolio=amy_portfolio,
                witness=WITNESS,
                activity="Serving customers on the tills, Saturday 3 May.",
                **extra,
            )

    return ask


def submit(token: str, **extra: Any) -> WitnessStatement:
    values = {
        "observed": "Amy served a queue of twenty calmly and dealt with a refund correctly.",
        "observed_on": YESTERDAY,
        "activities": "Tills; a refund",
        "signed_name": "Priya Patel",
        "declared": True,
        **extra,
    }
    return witness.witness_statement_submit(token=token, **values)


def statement_form(**extra: str) -> dict[str, str]:
    return {
        "observed": "Amy served a queue of twenty calmly.",
        "observed_on": YESTERDAY.isoformat(),
        "activities": "Tills",
        "signed_name": "Priya Patel",
        "declared": "on",
        **extra,
    }


# Asking ----------------------------------------------------------------------------------------


def test_asking_mails_a_link_and_stores_only_its_hash(ask: Callable) -> None:
    request, token = ask()

    [message] = mail.outbox
    assert message.to == ["priya@shop.example"]
    assert reverse("portfolio:witness_statement", args=[token]) in message.body
    assert "Serving customers on the tills" in message.body
    request.refresh_from_db()
    assert request.token_hash == witness.token_hash(token)
    assert token not in request.token_hash
    assert len(token) >= 40
    assert request.sent_at is not None


def test_the_link_expires_after_the_configured_days(ask: Callable, settings: Any) -> None:
    settings.WITNESS_LINK_DAYS = 3
    request, _ = ask()

    assert request.expires_at - request.created_at == pytest.approx(
        datetime.timedelta(days=3), abs=datetime.timedelta(seconds=5)
    )


def test_the_assessor_can_ask_but_a_tutor_cannot(ask: Callable, asha: User, tom: User) -> None:
    request, _ = ask(actor=asha)
    assert request.requested_by == asha

    with pytest.raises(ActionRefused):
        ask(actor=tom)


def test_criteria_must_come_from_the_portfolios_units(
    ask: Callable, wwo_1_1: AssessmentCriterion
) -> None:
    request, _ = ask(criteria=[wwo_1_1])
    assert list(request.criteria.all()) == [wwo_1_1]

    foreign = AssessmentCriterion.objects.exclude(
        unit__in=wwo_1_1.unit.qualifications.first().units.all()
    ).first()
    if foreign is not None:
        with pytest.raises(ActionRefused):
            ask(criteria=[foreign])


# The statement ---------------------------------------------------------------------------------


def test_a_statement_becomes_witness_evidence_with_the_witness_details(
    ask: Callable, amy: User, asha: User, amy_portfolio: Portfolio
) -> None:
    request, token = ask()

    statement = submit(token)

    evidence = statement.evidence
    assert evidence.portfolio == amy_portfolio
    assert evidence.type == EvidenceType.WITNESS_TESTIMONY
    assert evidence.activity_date == YESTERDAY
    assert "queue of twenty" in evidence.description
    assert (statement.witness_name, statement.witness_job_title) == ("Priya Patel", "Store manager")
    assert statement.witness_relationship == "Amy's line manager"
    assert statement.witness_email == "priya@shop.example"
    assert statement.declaration == witness.WITNESS_DECLARATION
    assert statement.signed_name == "Priya Patel"
    request.refresh_from_db()
    assert request.used_at is not None
    assert Notification.objects.filter(recipient=amy, link__contains=str(evidence.pk)).exists()
    assert Notification.objects.filter(recipient=asha, link__contains=str(evidence.pk)).exists()


def test_submitting_twice_is_refused_and_keeps_one_statement(ask: Callable) -> None:
    _, token = ask()
    submit(token)

    with pytest.raises(witness.LinkGone) as gone:
        submit(token, observed="A second, different account.")

    assert gone.value.state == "used"
    assert WitnessStatement.objects.count() == 1


def test_a_statement_needs_the_declaration_and_a_date_not_in_the_future(ask: Callable) -> None:
    _, token = ask()

    with pytest.raises(ActionRefused):
        submit(token, declared=False)
    with pytest.raises(ActionRefused):
        submit(token, observed_on=timezone.localdate() + datetime.timedelta(days=1))
    assert WitnessStatement.objects.count() == 0


def test_the_learner_maps_and_submits_it_without_files_and_the_assessor_accepts(
    ask: Callable, amy: User, asha: User, wwo_1_1: AssessmentCriterion
) -> None:
    _, token = ask()
    evidence = submit(token).evidence

    [mapping] = services.mappings_create(
        actor=amy, evidence=evidence, commentaries={wwo_1_1: "Priya saw me do it."}, submit=True
    )
    [decision] = assessment.mappings_decide(
        actor=asha,
        evidence=evidence,
        requests=[
            assessment.DecisionRequest(
                mapping.pk, Outcome.ACCEPTED, "", None, assessment.Vacsr.confirmed()
            )
        ],
    )

    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.ACCEPTED
    assert decision.outcome == Outcome.ACCEPTED


def test_the_learner_cannot_edit_add_files_to_or_delete_a_statement(
    ask: Callable, amy: User
) -> None:
    _, token = ask()
    evidence = submit(token).evidence

    with pytest.raises(ActionRefused):
        services.evidence_update(actor=amy, evidence=evidence, description="Better words.")
    with pytest.raises(ActionRefused):
        services.evidence_file_add(actor=amy, evidence=evidence, uploaded=jpeg_upload("x.jpg"))
    with pytest.raises(ActionRefused):
        services.evidence_delete(actor=amy, evidence=evidence)
    evidence.refresh_from_db()
    assert "queue of twenty" in evidence.description


# Revoking and resending ------------------------------------------------------------------------


def test_a_revoked_link_stops_working(ask: Callable, amy: User) -> None:
    request, token = ask()

    witness.witness_request_revoke(actor=amy, request=request)

    with pytest.raises(witness.LinkGone) as gone:
        witness.witness_request_for_link(token)
    assert gone.value.state == "revoked"
    with pytest.raises(ActionRefused):
        witness.witness_request_revoke(actor=amy, request=request)


def test_a_used_request_cannot_be_revoked_or_resent(ask: Callable, amy: User) -> None:
    request, token = ask()
    submit(token)

    with pytest.raises(ActionRefused):
        witness.witness_request_revoke(actor=amy, request=request)
    with pytest.raises(ActionRefused):
        witness.witness_request_resend(actor=amy, request=request)


def test_resending_mails_a_new_link_and_the_old_one_is_unknown(
    ask: Callable, amy: User, django_capture_on_commit_callbacks: Any
) -> None:
    request, old = ask()
    WitnessRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        _, new = witness.witness_request_resend(actor=amy, request=request)

    assert new != old
    assert witness.witness_request_for_link(old) is None
    assert witness.witness_request_for_link(new) is not None
    assert reverse("portfolio:witness_statement", args=[new]) in mail.outbox[-1].body


def test_someone_else_cannot_revoke(ask: Callable, tom: User) -> None:
    request, _ = ask()

    with pytest.raises(ActionRefused):
        witness.witness_request_revoke(actor=tom, request=request)


# The witness's page ----------------------------------------------------------------------------


def test_the_witness_page_shows_the_learner_and_activity_to_anyone_with_the_link(
    ask: Callable, client: Client, wwo_1_1: AssessmentCriterion
) -> None:
    _, token = ask(criteria=[wwo_1_1])

    response = client.get(reverse("portfolio:witness_statement", args=[token]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Amy" in page
    assert "Serving customers on the tills" in page
    assert wwo_1_1.text in page
    assert witness.WITNESS_DECLARATION in page
    assert 'aria-label="Main"' not in page
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_a_signed_in_person_sees_no_site_navigation_on_the_witness_page(
    ask: Callable, as_asha: Client
) -> None:
    _, token = ask()

    page = as_asha.get(reverse("portfolio:witness_statement", args=[token])).content.decode()

    assert reverse("assessment:caseload") not in page
    assert "Sign out" not in page


def test_submitting_the_page_adds_evidence_and_the_link_then_says_it_was_used(
    ask: Callable, client: Client, amy_portfolio: Portfolio
) -> None:
    _, token = ask()
    url = reverse("portfolio:witness_statement", args=[token])

    response = client.post(url, statement_form())
    again = client.post(url, statement_form(observed="Another go."))

    assert response.status_code == 302
    assert response["Location"] == reverse("portfolio:witness_thanks")
    assert amy_portfolio.evidence.get().witness_statement.signed_name == "Priya Patel"
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert "Amy" not in again.content.decode()
    assert amy_portfolio.evidence.count() == 1


def test_a_form_with_problems_is_shown_again_and_nothing_is_saved(
    ask: Callable, client: Client, amy_portfolio: Portfolio
) -> None:
    _, token = ask()

    response = client.post(
        reverse("portfolio:witness_statement", args=[token]), statement_form(declared="")
    )

    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert amy_portfolio.evidence.count() == 0


@pytest.mark.parametrize(
    ("spoil", "status", "words"),
    [
        ("used", 410, "This link has already been used"),
        ("expired", 410, "This link has expired"),
        ("revoked", 410, "This link has been withdrawn"),
        ("guessed", 404, "This link is not recognised"),
        ("tampered", 404, "This link is not recognised"),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_link_that_no_longer_works_says_so_and_reveals_nothing(
    ask: Callable,
    amy: User,
    client: Client,
    amy_portfolio: Portfolio,
    spoil: str,
    status: int,
    words: str,
    method: str,
) -> None:
    request, token = ask()
    if spoil == "used":
        submit(token)
    elif spoil == "expired":
        WitnessRequest.objects.filter(pk=request.pk).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
    elif spoil == "revoked":
        witness.witness_request_revoke(actor=amy, request=request)
    elif spoil == "guessed":
        token = "A" * len(token)
    elif spoil == "tampered":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    evidence_before = amy_portfolio.evidence.count()

    response = getattr(client, method)(
        reverse("portfolio:witness_statement", args=[token]), statement_form()
    )

    page = response.content.decode()
    assert response.status_code == status
    assert words in page
    for secret in ("Amy", amy.full_name, "tills", "Priya", "Store manager", "OCR"):
        assert secret not in page
    assert amy_portfolio.evidence.count() == evidence_before


def test_the_link_expires_at_its_time(ask: Callable) -> None:
    request, token = ask()
    WitnessRequest.objects.filter(pk=request.pk).update(
        expires_at=timezone.now() + datetime.timedelta(minutes=1)
    )
    assert witness.witness_request_for_link(token) is not None

    WitnessRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=15),
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    with pytest.raises(witness.LinkGone):
        witness.witness_request_for_link(token)
    with pytest.raises(witness.LinkGone):
        submit(token)


# The requests page -----------------------------------------------------------------------------


def test_the_learner_asks_from_the_requests_page(
    as_amy: Client, amy_portfolio: Portfolio, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = as_amy.post(
            reverse("portfolio:witness_request_create", args=[amy_portfolio.pk]),
            {
                "witness_name": "Priya Patel",
                "witness_job_title": "Store manager",
                "witness_relationship": "Line manager",
                "witness_email": "priya@shop.example",
                "activity": "Tills on Saturday.",
            },
        )

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    listing = as_amy.get(reverse("portfolio:witness_request_list", args=[amy_portfolio.pk]))
    assert "Priya Patel" in listing.content.decode()
    assert "Waiting" in listing.content.decode()


def test_a_request_form_missing_the_email_says_so_and_asks_nobody(
    as_amy: Client, amy_portfolio: Portfolio
) -> None:
    response = as_amy.post(
        reverse("portfolio:witness_request_create", args=[amy_portfolio.pk]),
        {"witness_name": "Priya", "activity": "Tills"},
    )

    assert response.status_code == 200
    assert WitnessRequest.objects.count() == 0
    assert len(mail.outbox) == 0


def test_the_assessor_sees_the_witness_prominently_when_deciding(
    ask: Callable, amy: User, as_asha: Client, wwo_1_1: AssessmentCriterion
) -> None:
    _, token = ask()
    evidence = submit(token).evidence
    services.mappings_create(
        actor=amy, evidence=evidence, commentaries={wwo_1_1: "Priya saw it."}, submit=True
    )

    page = as_asha.get(reverse("assessment:evidence_review", args=[evidence.pk])).content.decode()

    assert "The witness" in page
    assert "Store manager" in page
    assert "priya@shop.example" in page
    assert witness.WITNESS_DECLARATION in page


# Audit -----------------------------------------------------------------------------------------


def test_every_step_is_audited(
    ask: Callable, amy: User, django_capture_on_commit_callbacks: Any
) -> None:
    _, token = ask()
    witness.witness_request_for_link(token)
    witness.witness_request_for_link(token)  # a second opening is not recorded again
    submit(token)
    second, _ = ask()
    with django_capture_on_commit_callbacks(execute=True):
        witness.witness_request_resend(actor=amy, request=second)
    witness.witness_request_revoke(actor=amy, request=second)

    actions = list(AuditEntry.objects.order_by("at", "pk").values_list("action", flat=True))

    assert actions == [
        "witness.request",
        "witness.email_sent",
        "witness.open",
        "witness.submit",
        "witness.request",
        "witness.email_sent",
        "witness.resend",
        "witness.email_sent",
        "witness.revoke",
    ]
    submitted = AuditEntry.objects.get(action="witness.submit")
    assert submitted.actor is None
    assert submitted.changes["after"]["declaration"] == witness.WITNESS_DECLARATION
    assert submitted.changes["after"]["witness"] == "Priya Patel"


def test_the_timeline_names_the_witness_for_the_steps_they_take(ask: Callable) -> None:
    _, token = ask()
    witness.witness_request_for_link(token)
    submit(token)

    lines = {
        entry.action: describe(entry)
        for entry in AuditEntry.objects.filter(action__in=["witness.open", "witness.submit"])
    }

    assert lines["witness.open"].who == "Priya Patel (witness)"
    assert lines["witness.submit"].who == "Priya Patel (witness)"
    assert "Declaration: “I confirm" in "\n".join(lines["witness.submit"].details)


def test_the_learners_statement_page_offers_mapping_but_no_edits_or_files(
    ask: Callable, as_amy: Client
) -> None:
    _, token = ask()
    evidence = submit(token).evidence

    page = as_amy.get(reverse("portfolio:evidence_detail", args=[evidence.pk])).content.decode()

    assert reverse("portfolio:mapping_pick", args=[evidence.pk]) in page
    assert reverse("portfolio:evidence_edit", args=[evidence.pk]) not in page
    assert reverse("portfolio:evidence_delete", args=[evidence.pk]) not in page
    assert reverse("portfolio:file_upload", args=[evidence.pk]) not in page
    assert "Store manager" in page


def test_an_address_trying_link_after_link_is_slowed_and_shown_nothing(client: Client) -> None:
    for attempt in range(WITNESS_LINK_TRIES_PER_MINUTE):
        url = reverse("portfolio:witness_statement", args=[f"guess-{attempt}"])
        assert client.get(url).status_code == 404
    response = client.get(reverse("portfolio:witness_statement", args=["guess-last"]))
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()
