"""VACSR: an acceptance records the assessor's confirmation that the evidence is valid,
authentic, current, sufficient and reliable; one not confirmed makes it a referral whose
feedback gives the reason. Checked in the service, the database, the decide form, the history,
the IQA's sample page and the audit timeline (the PDF is in tests/exports/test_exports.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from assessment import services as assessment
from assessment.models import VACSR_KEYS, Decision, Outcome
from assessment.services import DecisionRequest, Vacsr
from portfolio.errors import ActionRefused
from portfolio.models import AuditEntry, Evidence, Mapping, MappingStatus, Portfolio
from qualifications.models import Unit
from tests.catalogue import criteria_of, criterion
from tests.journeys import add_evidence, request_for, submit
from tests.pages import messages_of, text_of

pytestmark = pytest.mark.django_db

ALL_FIVE = "VACSR confirmed: valid, authentic, current, sufficient, reliable."
NOT_CURRENT = "The photos are from 2023, before Amy's current role."
TICKED = {f"vacsr-{key}": "on" for key in VACSR_KEYS}


def not_current(**notes: str) -> Vacsr:
    return Vacsr(
        valid=True,
        authentic=True,
        current=False,
        sufficient=True,
        reliable=True,
        notes={"current": NOT_CURRENT, **notes},
    )


def with_vacsr(mapping: Mapping, outcome: str, vacsr: Vacsr | None, feedback: str = "") -> Any:
    mapping.refresh_from_db()
    return DecisionRequest(mapping.pk, outcome, feedback, mapping.submitted_at, vacsr)


def decide(asha: User, *requests: DecisionRequest) -> list[Decision]:
    evidence = Mapping.objects.get(pk=requests[0].mapping_id).evidence
    return assessment.mappings_decide(actor=asha, evidence=evidence, requests=list(requests))


def recorded() -> tuple[int, list[str], int]:
    """Decisions, mapping statuses and audit entries: what a refused decision leaves alone."""
    statuses = list(Mapping.objects.order_by("pk").values_list("status", flat=True))
    return Decision.objects.count(), statuses, AuditEntry.objects.count()


@pytest.fixture
def pdr_mappings(amy_portfolio: Portfolio, pdr: Unit) -> list[Mapping]:
    """Amy's photo mapped to all four RS-PDR criteria and submitted: 1.1, 1.2, 2.1, 3.1."""
    return submit(add_evidence(amy_portfolio), *criteria_of(pdr))


# The service ---------------------------------------------------------------------------------


def test_an_acceptance_without_vacsr_is_refused_and_nothing_is_recorded(
    asha: User, pdr_mappings: list[Mapping]
) -> None:
    first, second, *_ = pdr_mappings
    before = recorded()

    with pytest.raises(ActionRefused) as caught:
        decide(
            asha,
            with_vacsr(first, Outcome.ACCEPTED, Vacsr.confirmed()),
            with_vacsr(second, Outcome.ACCEPTED, None),
        )

    assert caught.value.message == (
        "Confirm the evidence is valid, authentic, current, sufficient and reliable before "
        "accepting criterion RS-PDR 1.2."
    )
    assert recorded() == before


def test_an_acceptance_with_all_five_confirmed_stores_them_and_their_notes(
    asha: User, pdr_mappings: list[Mapping]
) -> None:
    vacsr = Vacsr.confirmed(authentic="  Checked with her manager.  ", reliable="Seen twice.")

    [decision] = decide(asha, with_vacsr(pdr_mappings[0], Outcome.ACCEPTED, vacsr))

    decision.refresh_from_db()
    assert decision.outcome == Outcome.ACCEPTED
    assert [(c.criterion.key, c.confirmed, c.note) for c in decision.vacsr] == [
        ("valid", True, ""),
        ("authentic", True, "Checked with her manager."),
        ("current", True, ""),
        ("sufficient", True, ""),
        ("reliable", True, "Seen twice."),
    ]
    assert decision.predates_vacsr is False
    assert AuditEntry.objects.latest("pk").changes["decisions"][0]["vacsr"]["authentic"] == {
        "confirmed": True,
        "note": "Checked with her manager.",
    }


def test_an_acceptance_not_confirmed_current_is_a_referral_whose_feedback_gives_the_reason(
    asha: User, amy: User, pdr_mappings: list[Mapping]
) -> None:
    first, second, *_ = pdr_mappings

    decisions = decide(
        asha,
        with_vacsr(first, Outcome.ACCEPTED, not_current()),
        with_vacsr(second, Outcome.ACCEPTED, not_current(), "Add this year's rota too."),
    )

    assert [(d.outcome, d.feedback) for d in decisions] == [
        (Outcome.REFERRED, f"Not current: {NOT_CURRENT}"),
        (Outcome.REFERRED, f"Not current: {NOT_CURRENT}\n\nAdd this year's rota too."),
    ]
    first.refresh_from_db()
    assert first.status == MappingStatus.REFERRED
    stored = Decision.objects.get(pk=decisions[0].pk)
    assert [c.confirmed for c in stored.vacsr] == [True, True, False, True, True]
    assert stored.vacsr_current_note == NOT_CURRENT
    assert (
        Notification.objects.filter(recipient=amy)
        .latest("pk")
        .message.startswith("Asha Patel referred RS-PDR 1.1 and RS-PDR 1.2 from E1")
    )
    [entry] = AuditEntry.objects.filter(action="mapping.decide")
    assert entry.changes["decisions"][0]["after"] == "referred"
    assert entry.changes["decisions"][0]["vacsr"]["current"] == {
        "confirmed": False,
        "note": NOT_CURRENT,
    }


def test_a_criterion_not_confirmed_without_a_reason_is_refused_and_nothing_is_recorded(
    asha: User, pdr_mappings: list[Mapping]
) -> None:
    first, second, *_ = pdr_mappings
    silent = Vacsr(valid=True, authentic=True, current=True, sufficient=False, reliable=True)
    before = recorded()

    with pytest.raises(ActionRefused) as caught:
        decide(
            asha,
            with_vacsr(first, Outcome.ACCEPTED, Vacsr.confirmed()),
            with_vacsr(second, Outcome.ACCEPTED, silent),
        )

    assert caught.value.message == (
        "Say why the evidence is not sufficient for criterion RS-PDR 1.2: the learner needs "
        "the reason."
    )
    assert recorded() == before


def test_a_plain_referral_needs_no_vacsr_and_records_none(
    asha: User, pdr_mappings: list[Mapping]
) -> None:
    [decision] = decide(asha, request_for(pdr_mappings[0], Outcome.REFERRED, "Show the plan."))

    assert (decision.outcome, decision.feedback, decision.vacsr) == (
        Outcome.REFERRED,
        "Show the plan.",
        [],
    )
    assert AuditEntry.objects.latest("pk").changes["decisions"][0]["vacsr"] is None


@pytest.mark.parametrize(
    ("vacsr", "message"),
    [
        (Vacsr.confirmed(honest="Yes."), "VACSR has no criterion called honest."),
        (Vacsr.confirmed(valid="x" * 2_001), "Keep each VACSR note under 2,000 characters."),
    ],
)
def test_unknown_criteria_and_overlong_notes_are_refused(
    asha: User, pdr_mappings: list[Mapping], vacsr: Vacsr, message: str
) -> None:
    before = recorded()

    with pytest.raises(ActionRefused) as caught:
        decide(asha, with_vacsr(pdr_mappings[0], Outcome.ACCEPTED, vacsr))

    assert caught.value.message == message
    assert recorded() == before


# The database --------------------------------------------------------------------------------


def flags(value: bool | None) -> dict[str, bool | None]:
    return {f"vacsr_{key}": value for key in VACSR_KEYS}


@pytest.mark.parametrize(
    ("outcome", "columns"),
    [
        pytest.param(Outcome.ACCEPTED, {}, id="accepted-without-vacsr"),
        pytest.param(Outcome.ACCEPTED, {**flags(True), "vacsr_current": False}, id="one-refused"),
        pytest.param(Outcome.REFERRED, {**flags(None), "vacsr_valid": True}, id="partly-null"),
        pytest.param(
            Outcome.ACCEPTED, {**flags(True), "predates_vacsr": True}, id="old-with-vacsr"
        ),
    ],
)
def test_the_database_refuses_an_acceptance_without_all_five_or_a_half_recorded_vacsr(
    asha: User, pdr_mappings: list[Mapping], outcome: str, columns: dict[str, Any]
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            mapping=pdr_mappings[0],
            outcome=outcome,
            feedback="" if outcome == Outcome.ACCEPTED else "Say more.",
            decided_by=asha,
            **columns,
        )


def test_the_database_keeps_an_acceptance_from_before_vacsr(
    asha: User, pdr_mappings: list[Mapping]
) -> None:
    decision = Decision.objects.create(
        mapping=pdr_mappings[0], outcome=Outcome.ACCEPTED, decided_by=asha, predates_vacsr=True
    )

    assert decision.vacsr == []
    assert decision.vacsr_summary == "Recorded before VACSR confirmation was required."


@pytest.mark.django_db(transaction=True)
def test_the_migration_marks_existing_acceptances_as_recorded_before_vacsr(
    asha: User, pdr_mappings: list[Mapping]
) -> None:
    first, second, *_ = pdr_mappings
    decide(
        asha,
        with_vacsr(first, Outcome.ACCEPTED, Vacsr.confirmed()),
        with_vacsr(second, Outcome.REFERRED, None, "Say more."),
    )
    executor = MigrationExecutor(connection)
    executor.migrate([("assessment", "0001_decisions_signoffs_iqa")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    accepted, referred = Decision.objects.order_by("pk")
    assert (accepted.outcome, accepted.predates_vacsr, accepted.vacsr) == ("accepted", True, [])
    assert accepted.vacsr_summary == "Recorded before VACSR confirmation was required."
    assert (referred.predates_vacsr, referred.vacsr_summary) == (True, "")


# The decide form -----------------------------------------------------------------------------


def review_url(evidence: Evidence) -> str:
    return reverse("assessment:evidence_review", args=[evidence.pk])


def seen_values(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(seen-\d+)" value="([^"]*)"', page))


@pytest.fixture
def waiting(amy_portfolio: Portfolio) -> list[Mapping]:
    return submit(
        add_evidence(amy_portfolio), criterion("RS-PDR", "1.1"), criterion("RS-PDR", "1.2")
    )


def test_the_form_asks_once_for_the_evidence_with_a_labelled_tick_and_note_for_each(
    as_asha: Client, waiting: list[Mapping]
) -> None:
    page = as_asha.get(review_url(waiting[0].evidence)).content.decode()

    block = re.search(r"<fieldset aria-describedby=\"vacsr-help\">(.*?)</fieldset>", page, re.S)
    assert block
    assert "<legend" in block.group(1) and "valid, authentic, current, sufficient and reliable" in (
        block.group(1)
    )
    for key, label in zip(
        VACSR_KEYS, ("Valid", "Authentic", "Current", "Sufficient", "Reliable"), strict=True
    ):
        assert f'class="form-check-input" name="vacsr-{key}" id="id_vacsr-{key}"' in block.group(1)
        assert (
            f'<label class="form-check-label fw-semibold" for="id_vacsr-{key}">{label}</label>'
            in block.group(1)
        )
        assert f'for="id_vacsr-{key}-note">{label}: note' in block.group(1)
    # Unticked until the assessor ticks: a confirmation is never assumed.
    assert " checked" not in block.group(1)


def test_accepting_with_all_five_ticked_records_them_with_the_notes(
    as_asha: Client, waiting: list[Mapping]
) -> None:
    first, second = waiting
    url = review_url(first.evidence)

    response = as_asha.post(
        url,
        {
            **seen_values(as_asha.get(url).content.decode()),
            **TICKED,
            "vacsr-authentic-note": "Her manager signed the plan.",
            f"decision-{first.pk}": "accepted",
            f"decision-{second.pk}": "accepted",
        },
    )

    assert messages_of(response) == ["Recorded 2 decisions; Amy Archer will be told."]
    decisions = list(Decision.objects.order_by("pk"))
    assert [d.outcome for d in decisions] == ["accepted", "accepted"]
    assert {d.vacsr_authentic_note for d in decisions} == {"Her manager signed the plan."}
    assert all(c.confirmed for d in decisions for c in d.vacsr)


def test_accepting_with_nothing_ticked_asks_for_each_reason_and_records_nothing(
    as_asha: Client, waiting: list[Mapping]
) -> None:
    first, second = waiting
    url = review_url(first.evidence)

    response = as_asha.post(
        url,
        {
            **seen_values(as_asha.get(url).content.decode()),
            f"decision-{first.pk}": "accepted",
            f"decision-{second.pk}": "referred",
            f"feedback-{second.pk}": "Show the plan.",
        },
    )

    assert response.status_code == 200
    page = text_of(response)
    for key, label in (("valid", "Valid"), ("current", "Current"), ("reliable", "Reliable")):
        assert (
            f'<div class="invalid-feedback d-block" id="id_vacsr-{key}-note-error">Tick {label}, '
            f"or say why the evidence is not {label.lower()}: the criteria you accept are then "
            "referred with your note as the reason.</div>"
        ) in page
    assert 'aria-describedby="id_vacsr-valid-note-error"' in page
    summary = page[page.index("There is a problem") : page.index("<h1")]
    assert (
        "<li>Before accepting, confirm the evidence is valid, authentic, current, sufficient "
        "and reliable, or say why it is not.</li>"
    ) in summary
    assert '<a href="#id_vacsr-valid-note">Tick Valid' in summary
    assert Decision.objects.count() == 0
    assert [m.status for m in Mapping.objects.order_by("pk")] == ["submitted", "submitted"]


def test_a_referral_alone_needs_no_vacsr(as_asha: Client, waiting: list[Mapping]) -> None:
    first, _ = waiting
    url = review_url(first.evidence)

    as_asha.post(
        url,
        {
            **seen_values(as_asha.get(url).content.decode()),
            f"decision-{first.pk}": "referred",
            f"feedback-{first.pk}": "Show the plan.",
        },
    )

    assert Decision.objects.get().vacsr == []


def test_an_unticked_criterion_with_a_reason_refers_what_was_accepted(
    as_asha: Client, amy: User, waiting: list[Mapping]
) -> None:
    first, second = waiting
    url = review_url(first.evidence)
    ticks = {k: v for k, v in TICKED.items() if k != "vacsr-current"}

    response = as_asha.post(
        url,
        {
            **seen_values(as_asha.get(url).content.decode()),
            **ticks,
            "vacsr-current-note": NOT_CURRENT,
            f"decision-{first.pk}": "accepted",
            f"decision-{second.pk}": "referred",
            f"feedback-{second.pk}": "Show the plan.",
        },
    )

    assert messages_of(response) == [
        "Recorded 2 decisions; Amy Archer will be told. The evidence was not confirmed current, "
        "so RS-PDR 1.1 was referred with your notes as the reason."
    ]
    first_decision, second_decision = Decision.objects.order_by("pk")
    assert (first_decision.outcome, first_decision.feedback) == (
        "referred",
        f"Not current: {NOT_CURRENT}",
    )
    # The criterion the assessor referred themselves carries only their feedback.
    assert (second_decision.feedback, second_decision.vacsr) == ("Show the plan.", [])
    # The learner reads the reason, and what was confirmed, on their evidence page.
    as_amy = Client()
    as_amy.force_login(amy)
    page = text_of(as_amy.get(reverse("portfolio:evidence_detail", args=[first.evidence_id])))
    assert f"Not current: {NOT_CURRENT}" in page
    assert "VACSR: not current; confirmed valid, authentic, sufficient, reliable." in page


# Where VACSR is shown ------------------------------------------------------------------------


def test_the_history_on_the_review_page_shows_what_the_assessor_confirmed(
    as_asha: Client, asha: User, waiting: list[Mapping]
) -> None:
    first, _ = waiting
    decide(asha, with_vacsr(first, Outcome.ACCEPTED, Vacsr.confirmed(authentic="Signed.")))

    page = text_of(as_asha.get(review_url(first.evidence)))

    assert f'<span class="d-block vacsr">{ALL_FIVE} Notes: authentic “Signed.”</span>' in page


def test_the_iqa_sees_what_the_assessor_confirmed_on_the_sample_page(
    client: Client, iris: User, asha: User, waiting: list[Mapping]
) -> None:
    [decision] = decide(
        asha, with_vacsr(waiting[0], Outcome.ACCEPTED, Vacsr.confirmed(current="Dated May."))
    )
    client.force_login(iris)

    page = text_of(client.get(reverse("assessment:decision_sample", args=[decision.pk])))

    assert "(the decision you are sampling)" in page
    assert f"{ALL_FIVE} Notes: current “Dated May.”" in page


def test_the_timeline_says_what_was_confirmed_and_what_was_not(
    as_asha: Client, asha: User, waiting: list[Mapping], amy_portfolio: Portfolio
) -> None:
    first, second = waiting
    decide(asha, with_vacsr(first, Outcome.ACCEPTED, Vacsr.confirmed(valid="Right method.")))
    decide(asha, with_vacsr(second, Outcome.ACCEPTED, not_current()))

    page = text_of(as_asha.get(reverse("assessment:portfolio_timeline", args=[amy_portfolio.pk])))

    assert "RS-PDR 1.1: accepted; VACSR all confirmed (notes: valid “Right method.”)" in page
    assert (
        f"RS-PDR 1.2: referred, feedback “Not current: {NOT_CURRENT}”; VACSR not confirmed: "
        f"current (notes: current “{NOT_CURRENT}”)"
    ) in page
