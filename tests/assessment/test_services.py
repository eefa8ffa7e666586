"""The assessment services: every transition of a mapping, declarations, sign-offs and IQA
reviews, allowed and refused. A refusal must leave everything exactly as it was."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Notification, Role, User
from assessment import progress
from assessment import services as assessment
from assessment.models import (
    VACSR_KEYS,
    Decision,
    IqaAgreement,
    IqaReview,
    Outcome,
    SamplingRate,
    UnitDeclaration,
    UnitSignOff,
)
from assessment.services import DecisionConflict, DecisionRequest, Vacsr
from portfolio import progress as criterion_progress
from portfolio import services as learner_services
from portfolio.errors import ActionRefused
from portfolio.models import AuditEntry, Mapping, MappingStatus, Portfolio
from qualifications.models import Qualification, Unit
from tests.catalogue import criteria_of, criterion
from tests.factories import PortfolioFactory
from tests.files import jpeg_upload
from tests.journeys import (
    accept,
    add_evidence,
    declare,
    meet_unit,
    refer,
    request_for,
    sign_off,
    submit,
)

pytestmark = pytest.mark.django_db

NOT_ASSESSOR = "Only the learner's assigned assessor can do this."
NOT_IQA = "Only an internal quality assurer at this centre can sample decisions."


# Helpers -------------------------------------------------------------------------------------


def at(decision: Decision) -> str:
    """How a conflict message names the time of a decision."""
    return timezone.localtime(decision.decided_at).strftime("%H:%M on %d %B")


def conflict(number: str, detail: str) -> str:
    return (
        f"Criterion {number} changed while you were reviewing: {detail}. "
        "Nothing was recorded; check the page as it is now and decide again."
    )


def status_of(mapping: Mapping) -> str:
    mapping.refresh_from_db()
    return mapping.status


def last_audit() -> AuditEntry:
    return AuditEntry.objects.order_by("-pk").first()


def last_notification(user: User) -> Notification:
    return Notification.objects.filter(recipient=user).order_by("pk").last()


def messages_for(user: User) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("message", flat=True)
    )


def snapshot() -> dict[str, Any]:
    """Everything a refused assessment action must leave exactly as it was."""
    return {
        "mappings": list(
            Mapping.objects.order_by("pk").values("pk", "status", "submitted_at", "commentary")
        ),
        "decisions": list(Decision.objects.order_by("pk").values_list("pk", "outcome")),
        "declarations": list(UnitDeclaration.objects.order_by("pk").values_list("pk", flat=True)),
        "sign_offs": list(
            UnitSignOff.objects.order_by("pk").values(
                "pk", "revoked_at", "revoked_by", "revoke_reason"
            )
        ),
        "reviews": list(IqaReview.objects.order_by("pk").values_list("pk", flat=True)),
        "rates": list(
            SamplingRate.objects.order_by("pk").values("centre", "assessor", "unit", "percent")
        ),
        "audit": AuditEntry.objects.count(),
        "notifications": Notification.objects.count(),
    }


@contextmanager
def refused(
    message: str, exception: type[ActionRefused] = ActionRefused
) -> Iterator[pytest.ExceptionInfo[ActionRefused]]:
    """The action is refused with exactly this message, and nothing at all changes."""
    before = snapshot()
    with pytest.raises(exception) as caught:
        yield caught
    assert caught.value.message == message
    assert str(caught.value) == message
    assert snapshot() == before


@pytest.fixture
def pdr_mappings(amy_portfolio: Portfolio, pdr: Unit) -> list[Mapping]:
    """Amy's photo mapped to all four RS-PDR criteria and submitted: 1.1, 1.2, 2.1, 3.1."""
    evidence = add_evidence(amy_portfolio)
    return submit(evidence, *criteria_of(pdr))


@pytest.fixture
def mapping(pdr_mappings: list[Mapping]) -> Mapping:
    """RS-PDR 1.1, submitted and waiting for Asha."""
    return pdr_mappings[0]


# Deciding: accept and refer ------------------------------------------------------------------


def test_the_assessor_accepts_a_submitted_mapping(asha: User, amy: User, mapping: Mapping) -> None:
    [decision] = accept(asha, mapping)

    assert status_of(mapping) == MappingStatus.ACCEPTED
    assert (decision.outcome, decision.feedback, decision.decided_by) == (
        Outcome.ACCEPTED,
        "",
        asha,
    )
    entry = last_audit()
    assert (entry.action, entry.actor, entry.portfolio) == (
        "mapping.decide",
        asha,
        mapping.evidence.portfolio,
    )
    assert entry.changes["decisions"] == [
        {
            "criterion": "RS-PDR 1.1",
            "before": "submitted",
            "after": "accepted",
            "feedback": "",
            "vacsr": {key: {"confirmed": True, "note": ""} for key in VACSR_KEYS},
        }
    ]
    assert messages_for(amy)[-1] == (
        "Asha Patel accepted RS-PDR 1.1 from E1 “Customer feedback board”."
    )
    assert last_notification(amy).link == reverse(
        "portfolio:evidence_detail", args=[mapping.evidence_id]
    )


def test_the_assessor_refers_a_submitted_mapping_with_feedback_for_the_learner(
    asha: User, amy: User, mapping: Mapping
) -> None:
    decision = refer(asha, mapping, "  Name the customer you helped.  ")

    assert status_of(mapping) == MappingStatus.REFERRED
    assert (decision.outcome, decision.feedback) == (
        Outcome.REFERRED,
        "Name the customer you helped.",
    )
    assert last_audit().changes["decisions"][0]["feedback"] == "Name the customer you helped."
    assert messages_for(amy)[-1] == (
        "Asha Patel referred RS-PDR 1.1 from E1 “Customer feedback board”."
    )


def test_several_mappings_are_decided_at_once_with_one_audit_entry_and_one_notification(
    asha: User, amy: User, pdr_mappings: list[Mapping]
) -> None:
    audit_before = AuditEntry.objects.count()
    notes_before = Notification.objects.filter(recipient=amy).count()
    first, second, third, _ = pdr_mappings

    decisions = assessment.mappings_decide(
        actor=asha,
        evidence=first.evidence,
        requests=[
            request_for(first, Outcome.ACCEPTED),
            request_for(second, Outcome.REFERRED, "Show the plan itself."),
            request_for(third, Outcome.ACCEPTED),
        ],
    )

    assert [d.outcome for d in decisions] == ["accepted", "referred", "accepted"]
    assert [status_of(m) for m in pdr_mappings] == [
        "accepted",
        "referred",
        "accepted",
        "submitted",
    ]
    assert AuditEntry.objects.count() == audit_before + 1
    assert Notification.objects.filter(recipient=amy).count() == notes_before + 1
    assert messages_for(amy)[-1] == (
        "Asha Patel accepted RS-PDR 1.1 and RS-PDR 2.1, and referred RS-PDR 1.2 from E1 "
        "“Customer feedback board”."
    )


def test_one_referral_without_feedback_refuses_the_whole_batch(
    asha: User, pdr_mappings: list[Mapping]
) -> None:
    first, second, *_ = pdr_mappings
    requests = [request_for(first, Outcome.ACCEPTED), request_for(second, Outcome.REFERRED, "")]

    with refused(
        "Say what is missing for criterion RS-PDR 1.2: a referral needs feedback for the learner."
    ):
        assessment.mappings_decide(actor=asha, evidence=first.evidence, requests=requests)

    assert status_of(first) == MappingStatus.SUBMITTED


@pytest.mark.parametrize("feedback", ["", "   \n\t "])
def test_a_referral_without_feedback_is_refused(
    asha: User, mapping: Mapping, feedback: str
) -> None:
    with refused(
        "Say what is missing for criterion RS-PDR 1.1: a referral needs feedback for the learner."
    ):
        refer(asha, mapping, feedback)


def test_feedback_over_ten_thousand_characters_is_refused(asha: User, mapping: Mapping) -> None:
    with refused("Keep feedback under 10,000 characters."):
        refer(asha, mapping, "x" * 10_001)


def test_deciding_nothing_is_refused(asha: User, mapping: Mapping) -> None:
    with refused("Choose accept or refer for at least one mapping."):
        assessment.mappings_decide(actor=asha, evidence=mapping.evidence, requests=[])


def test_a_decision_is_either_accept_or_refer(asha: User, mapping: Mapping) -> None:
    with refused("A decision is either accept or refer."):
        assessment.mappings_decide(
            actor=asha,
            evidence=mapping.evidence,
            requests=[request_for(mapping, Outcome.REOPENED, "Changed my mind.")],
        )


def test_a_mapping_of_other_evidence_cannot_be_decided_with_this_one(
    asha: User, amy_portfolio: Portfolio, mapping: Mapping, pdr: Unit
) -> None:
    other = add_evidence(amy_portfolio, "Rota")

    with refused("That mapping is not part of this evidence."):
        assessment.mappings_decide(
            actor=asha, evidence=other, requests=[request_for(mapping, Outcome.ACCEPTED)]
        )


def test_deciding_a_draft_mapping_is_refused(
    asha: User, amy: User, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    evidence = add_evidence(amy_portfolio)
    [draft] = learner_services.mappings_create(
        actor=amy, evidence=evidence, commentaries={criterion("RS-PDR", "1.1"): "Draft."}
    )

    with refused(
        conflict("RS-PDR 1.1", "it has not been submitted for assessment"), DecisionConflict
    ):
        accept(asha, draft)


@pytest.mark.parametrize("outcome", [Outcome.ACCEPTED, Outcome.REFERRED])
def test_deciding_a_mapping_already_decided_is_refused_naming_the_decision(
    asha: User, mapping: Mapping, outcome: str
) -> None:
    [earlier] = assessment.mappings_decide(
        actor=asha,
        evidence=mapping.evidence,
        requests=[request_for(mapping, outcome, "Say more.")],
    )
    verb = "accepted" if outcome == Outcome.ACCEPTED else "referred"

    with refused(
        conflict("RS-PDR 1.1", f"Asha Patel {verb} it at {at(earlier)}"), DecisionConflict
    ):
        assessment.mappings_decide(
            actor=asha,
            evidence=mapping.evidence,
            requests=[DecisionRequest(mapping.pk, Outcome.ACCEPTED, "", None, Vacsr.confirmed())],
        )


@pytest.mark.parametrize("who", ["iris", "sam", "amy", "tom", "oscar"])
def test_only_the_assigned_assessor_can_decide(
    request: pytest.FixtureRequest, mapping: Mapping, who: str
) -> None:
    """Iris is an IQA only, Sam an assessor not assigned to Amy, Amy the learner herself."""
    actor = request.getfixturevalue(who)

    with refused(NOT_ASSESSOR):
        accept(actor, mapping)


def test_the_assigned_assessor_without_the_assessor_role_cannot_decide(
    asha: User, mapping: Mapping
) -> None:
    Membership.objects.filter(user=asha).delete()
    asha = User.objects.get(pk=asha.pk)

    with refused(NOT_ASSESSOR):
        accept(asha, mapping)


def test_a_stale_page_after_the_learner_resubmitted_is_a_conflict(
    asha: User, amy: User, mapping: Mapping
) -> None:
    stale = request_for(mapping, Outcome.ACCEPTED)
    learner_services.mapping_withdraw(actor=amy, mapping=mapping)
    learner_services.mapping_submit(actor=amy, mapping=mapping)

    with refused(conflict("RS-PDR 1.1", "the learner resubmitted it"), DecisionConflict) as caught:
        assessment.mappings_decide(actor=asha, evidence=mapping.evidence, requests=[stale])

    assert isinstance(caught.value, ActionRefused)


def test_a_stale_page_after_the_learner_withdrew_is_a_conflict(
    asha: User, amy: User, mapping: Mapping
) -> None:
    stale = request_for(mapping, Outcome.REFERRED, "Say more.")
    learner_services.mapping_withdraw(actor=amy, mapping=mapping)

    with refused(conflict("RS-PDR 1.1", "the learner withdrew it"), DecisionConflict):
        assessment.mappings_decide(actor=asha, evidence=mapping.evidence, requests=[stale])


def test_a_stale_page_from_before_an_acceptance_and_reopening_is_a_conflict(
    asha: User, mapping: Mapping
) -> None:
    stale = request_for(mapping, Outcome.ACCEPTED)
    accept(asha, mapping)
    assessment.mapping_reopen(actor=asha, mapping=mapping, reason="The photo is of another store.")

    with pytest.raises(DecisionConflict):
        assessment.mappings_decide(actor=asha, evidence=mapping.evidence, requests=[stale])


def test_after_a_referral_the_learner_resubmits_and_the_assessor_accepts(
    asha: User, amy: User, mapping: Mapping
) -> None:
    first_submitted = mapping.submitted_at
    refer(asha, mapping, "Say who the customer was.")
    learner_services.mapping_update_commentary(
        actor=amy, mapping=mapping, commentary="I helped Mrs Khan find a gift."
    )

    learner_services.mapping_submit(actor=amy, mapping=mapping)

    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.SUBMITTED
    assert mapping.submitted_at > first_submitted
    accept(asha, mapping)
    assert status_of(mapping) == MappingStatus.ACCEPTED
    assert list(mapping.decisions.values_list("outcome", flat=True)) == ["referred", "accepted"]


# Reopening -----------------------------------------------------------------------------------


def test_reopening_an_accepted_mapping_puts_it_back_in_the_queue(
    asha: User, amy: User, mapping: Mapping
) -> None:
    accept(asha, mapping)

    decision = assessment.mapping_reopen(
        actor=asha, mapping=mapping, reason="  The photo is of another store.  "
    )

    assert status_of(mapping) == MappingStatus.SUBMITTED
    assert (decision.outcome, decision.feedback, decision.decided_by) == (
        Outcome.REOPENED,
        "The photo is of another store.",
        asha,
    )
    entry = last_audit()
    assert entry.action == "mapping.reopen"
    assert entry.changes == {
        "before": {"status": "accepted"},
        "after": {"status": "submitted"},
        "reason": "The photo is of another store.",
        "sign_off_revoked": None,
    }
    assert messages_for(amy)[-1] == (
        "Asha Patel reopened criterion RS-PDR 1.1 of Plan, deliver and review reliable customer "
        "service: The photo is of another store."
    )


@pytest.mark.parametrize("reason", ["", "  \n "])
def test_reopening_without_a_reason_is_refused(asha: User, mapping: Mapping, reason: str) -> None:
    accept(asha, mapping)

    with refused("Give a reason for reopening: it is kept in the record."):
        assessment.mapping_reopen(actor=asha, mapping=mapping, reason=reason)


@pytest.mark.parametrize("state", ["draft", "submitted", "referred"])
def test_only_an_accepted_mapping_can_be_reopened(
    asha: User, amy: User, mapping: Mapping, state: str
) -> None:
    if state == "draft":
        learner_services.mapping_withdraw(actor=amy, mapping=mapping)
    elif state == "referred":
        refer(asha, mapping)

    with refused(f"Only an accepted mapping can be reopened; this one is {state}."):
        assessment.mapping_reopen(actor=asha, mapping=mapping, reason="Second thoughts.")


@pytest.mark.parametrize("who", ["iris", "sam", "amy"])
def test_only_the_assigned_assessor_can_reopen(
    request: pytest.FixtureRequest, asha: User, mapping: Mapping, who: str
) -> None:
    accept(asha, mapping)

    with refused(NOT_ASSESSOR):
        assessment.mapping_reopen(
            actor=request.getfixturevalue(who), mapping=mapping, reason="Second thoughts."
        )


def test_reopening_the_mapping_that_met_a_criterion_revokes_the_units_sign_off(
    asha: User, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    signed = sign_off(amy_portfolio, pdr)
    reopened = Mapping.objects.get(evidence__portfolio=amy_portfolio, criterion__number="2.1")

    assessment.mapping_reopen(actor=asha, mapping=reopened, reason="The log is undated.")

    signed.refresh_from_db()
    assert signed.revoked_by == asha
    assert signed.revoked_at is not None
    assert signed.revoke_reason == "Criterion RS-PDR 2.1 was reopened: The log is undated."
    assert last_audit().changes["sign_off_revoked"] == "RS-PDR"
    [unit] = [u for u in progress.portfolio_progress(amy_portfolio) if u.unit == pdr]
    assert not unit.signed_off
    assert not unit.all_met


def test_reopening_keeps_the_sign_off_while_another_accepted_mapping_meets_the_criterion(
    asha: User, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    signed = sign_off(amy_portfolio, pdr)
    [second] = submit(add_evidence(amy_portfolio, "Service log"), criterion("RS-PDR", "2.1"))
    accept(asha, second)

    assessment.mapping_reopen(actor=asha, mapping=second, reason="Duplicate of the board.")

    signed.refresh_from_db()
    assert (signed.revoked_at, signed.revoked_by, signed.revoke_reason) == (None, None, "")
    assert last_audit().changes["sign_off_revoked"] is None


def test_a_revoked_unit_can_be_signed_off_again_once_the_criterion_is_met_again(
    asha: User, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    first = sign_off(amy_portfolio, pdr)
    reopened = Mapping.objects.get(evidence__portfolio=amy_portfolio, criterion__number="2.1")
    assessment.mapping_reopen(actor=asha, mapping=reopened, reason="The log is undated.")
    accept(asha, reopened)

    second = assessment.unit_sign_off(actor=asha, portfolio=amy_portfolio, unit=pdr)

    assert second.pk != first.pk
    assert list(UnitSignOff.objects.filter(portfolio=amy_portfolio, revoked_at__isnull=True)) == [
        second
    ]


# Declaring a unit ----------------------------------------------------------------------------


def test_the_learner_declares_a_unit_once_every_criterion_is_met(
    amy: User, asha: User, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    meet_unit(amy_portfolio, pdr)

    declaration = assessment.unit_declare(actor=amy, portfolio=amy_portfolio, unit=pdr)

    assert declaration.wording == (
        "I, Amy Archer, declare that the evidence in this portfolio for the unit “Plan, deliver "
        "and review reliable customer service” (RS-PDR) is my own work, and that the "
        "commentary I have written is a true account of what I did."
    )
    assert (declaration.declared_by, declaration.unit) == (amy, pdr)
    entry = last_audit()
    assert entry.action == "unit.declare"
    assert entry.changes == {"after": {"unit": "RS-PDR", "wording": declaration.wording}}
    assert messages_for(asha)[-1] == (
        "Amy Archer declared Plan, deliver and review reliable customer service their own "
        "work; it is ready for you to sign off."
    )
    assert last_notification(asha).link == reverse(
        "assessment:portfolio_detail", args=[amy_portfolio.pk]
    )


def test_declaring_is_refused_until_every_criterion_of_the_unit_is_met(
    amy: User, asha: User, amy_portfolio: Portfolio, pdr_mappings: list[Mapping], pdr: Unit
) -> None:
    accept(asha, *pdr_mappings[:3])

    with refused(
        "Every criterion of Plan, deliver and review reliable customer service must be met "
        "before you declare the unit: your declaration covers all of its evidence."
    ):
        assessment.unit_declare(actor=amy, portfolio=amy_portfolio, unit=pdr)


def test_declaring_a_unit_twice_is_refused(amy: User, amy_portfolio: Portfolio, pdr: Unit) -> None:
    meet_unit(amy_portfolio, pdr)
    declare(amy_portfolio, pdr)

    with refused(
        "You have already declared Plan, deliver and review reliable customer service; there "
        "is nothing more to do."
    ):
        assessment.unit_declare(actor=amy, portfolio=amy_portfolio, unit=pdr)


@pytest.mark.parametrize("who", ["asha", "ben", "tom"])
def test_only_the_learner_can_declare_their_unit(
    request: pytest.FixtureRequest, amy_portfolio: Portfolio, pdr: Unit, who: str
) -> None:
    meet_unit(amy_portfolio, pdr)

    with refused("Only the learner can declare that the evidence is their own work."):
        assessment.unit_declare(
            actor=request.getfixturevalue(who), portfolio=amy_portfolio, unit=pdr
        )


def test_a_unit_outside_the_qualification_cannot_be_declared(
    amy: User, amy_portfolio: Portfolio
) -> None:
    other = Unit.objects.exclude(qualification_links__qualification=amy_portfolio.qualification)[0]

    with refused(f"{other.title} is not one of this portfolio's units."):
        assessment.unit_declare(actor=amy, portfolio=amy_portfolio, unit=other)


# Signing off a unit --------------------------------------------------------------------------


def test_the_assessor_signs_off_a_declared_unit_whose_criteria_are_all_met(
    amy: User, asha: User, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    meet_unit(amy_portfolio, pdr)
    declare(amy_portfolio, pdr)

    signed = assessment.unit_sign_off(actor=asha, portfolio=amy_portfolio, unit=pdr)

    assert signed.wording == (
        "I, Asha Patel, confirm that I have assessed the evidence for the unit “Plan, deliver "
        "and review reliable customer service” (RS-PDR) for Amy Archer; that it is valid, "
        "authentic, current and sufficient; and that every assessment criterion of the unit "
        "is met."
    )
    assert (signed.signed_by, signed.revoked_at) == (asha, None)
    entry = last_audit()
    assert entry.action == "unit.sign_off"
    assert entry.changes == {"after": {"unit": "RS-PDR", "wording": signed.wording}}
    assert messages_for(amy)[-1] == (
        "Asha Patel signed off Plan, deliver and review reliable customer service."
    )


def test_signing_off_with_unmet_criteria_is_refused(
    asha: User, amy_portfolio: Portfolio, pdr_mappings: list[Mapping], pdr: Unit
) -> None:
    accept(asha, *pdr_mappings[:3])

    with refused(
        "Plan, deliver and review reliable customer service cannot be signed off yet: not "
        "every criterion is met. Accept a mapping for each remaining criterion first."
    ):
        assessment.unit_sign_off(actor=asha, portfolio=amy_portfolio, unit=pdr)


def test_signing_off_before_the_learner_declared_is_refused(
    asha: User, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    meet_unit(amy_portfolio, pdr)

    with refused(
        "Amy Archer has not yet declared Plan, deliver and review reliable customer service "
        "their own work; the learner's declaration comes before your sign-off."
    ):
        assessment.unit_sign_off(actor=asha, portfolio=amy_portfolio, unit=pdr)


def test_signing_off_a_unit_already_signed_off_is_refused(
    asha: User, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    sign_off(amy_portfolio, pdr)

    with refused("Plan, deliver and review reliable customer service is already signed off."):
        assessment.unit_sign_off(actor=asha, portfolio=amy_portfolio, unit=pdr)


@pytest.mark.parametrize("who", ["iris", "sam", "amy"])
def test_only_the_assigned_assessor_can_sign_off(
    request: pytest.FixtureRequest, amy_portfolio: Portfolio, pdr: Unit, who: str
) -> None:
    meet_unit(amy_portfolio, pdr)
    declare(amy_portfolio, pdr)

    with refused(NOT_ASSESSOR):
        assessment.unit_sign_off(
            actor=request.getfixturevalue(who), portfolio=amy_portfolio, unit=pdr
        )


def test_two_active_sign_offs_of_one_unit_cannot_exist(
    asha: User, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    signed = sign_off(amy_portfolio, pdr)

    with pytest.raises(IntegrityError), transaction.atomic():
        UnitSignOff.objects.create(
            portfolio=amy_portfolio, unit=pdr, signed_by=asha, wording=signed.wording
        )


# IQA reviews ---------------------------------------------------------------------------------


@pytest.fixture
def accepted(asha: User, mapping: Mapping) -> Decision:
    """Asha's acceptance of Amy's RS-PDR 1.1."""
    [decision] = accept(asha, mapping)
    return decision


def test_the_iqa_agrees_with_a_decision_and_the_assessor_is_told(
    iris: User, asha: User, mapping: Mapping, accepted: Decision
) -> None:
    review = assessment.iqa_review_record(
        actor=iris, decision=accepted, verdict=IqaAgreement.AGREE, feedback=""
    )

    assert (review.decision, review.reviewer, review.verdict) == (accepted, iris, "agree")
    assert status_of(mapping) == MappingStatus.ACCEPTED
    assert mapping.decisions.count() == 1
    entry = last_audit()
    assert entry.action == "iqa.review"
    assert entry.changes == {
        "decision": accepted.pk,
        "verdict": "agree",
        "feedback": "",
        "mapping_reopened": False,
    }
    assert messages_for(asha)[-1] == (
        "Iris Okafor agreed with your decision on criterion RS-PDR 1.1 for Amy Archer."
    )


@pytest.mark.parametrize("feedback", ["", "   "])
def test_a_disagreement_without_feedback_is_refused(
    iris: User, accepted: Decision, feedback: str
) -> None:
    with refused("Tell the assessor why you disagree: a disagreement needs feedback."):
        assessment.iqa_review_record(
            actor=iris, decision=accepted, verdict=IqaAgreement.DISAGREE, feedback=feedback
        )


def test_a_disagreement_reopens_the_mapping_for_the_assessor(
    iris: User, asha: User, mapping: Mapping, accepted: Decision
) -> None:
    review = assessment.iqa_review_record(
        actor=iris,
        decision=accepted,
        verdict=IqaAgreement.DISAGREE,
        feedback="The plan names no responsibilities.",
    )

    assert review.verdict == IqaAgreement.DISAGREE
    assert status_of(mapping) == MappingStatus.SUBMITTED
    reopened = mapping.decisions.order_by("pk").last()
    assert (reopened.outcome, reopened.decided_by, reopened.feedback) == (
        Outcome.REOPENED,
        iris,
        "IQA disagreed: The plan names no responsibilities.",
    )
    assert last_audit().changes["mapping_reopened"] is True
    assert messages_for(asha)[-1] == (
        "Iris Okafor disagreed with your decision on criterion RS-PDR 1.1 for Amy Archer. "
        "It is back in your queue."
    )
    assert last_notification(asha).link == reverse(
        "assessment:evidence_review", args=[mapping.evidence_id]
    )


def test_a_disagreement_with_a_referral_puts_it_back_in_the_queue_too(
    iris: User, asha: User, mapping: Mapping
) -> None:
    referral = refer(asha, mapping, "Show the plan.")

    assessment.iqa_review_record(
        actor=iris, decision=referral, verdict=IqaAgreement.DISAGREE, feedback="It was enough."
    )

    assert status_of(mapping) == MappingStatus.SUBMITTED


def test_a_disagreement_that_revokes_a_sign_off_records_the_iqa_as_revoking_it(
    iris: User, asha: User, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    signed = sign_off(amy_portfolio, pdr)
    decision = Decision.objects.get(mapping__criterion__number="3.1")

    assessment.iqa_review_record(
        actor=iris, decision=decision, verdict=IqaAgreement.DISAGREE, feedback="No review."
    )

    signed.refresh_from_db()
    assert signed.revoked_by == iris
    assert signed.revoke_reason == "Criterion RS-PDR 3.1 was reopened: IQA disagreed: No review."


def test_a_disagreement_with_a_superseded_decision_leaves_the_mapping_alone(
    iris: User, asha: User, amy: User, mapping: Mapping
) -> None:
    referral = refer(asha, mapping, "Show the plan.")
    learner_services.mapping_submit(actor=amy, mapping=mapping)
    accept(asha, mapping)

    assessment.iqa_review_record(
        actor=iris, decision=referral, verdict=IqaAgreement.DISAGREE, feedback="It was enough."
    )

    assert status_of(mapping) == MappingStatus.ACCEPTED
    assert last_audit().changes["mapping_reopened"] is False
    assert messages_for(asha)[-1] == (
        "Iris Okafor disagreed with your decision on criterion RS-PDR 1.1 for Amy Archer."
    )


def test_an_iqa_cannot_review_their_own_decision(
    iris: User, ben: User, ocr: Qualification, pdr: Unit
) -> None:
    Membership.objects.create(user=iris, role=Role.ASSESSOR)
    iris = User.objects.get(pk=iris.pk)
    bens = PortfolioFactory(learner=ben, qualification=ocr, assessor=iris)
    [mapping] = submit(add_evidence(bens), criterion("RS-PDR", "1.1"))
    [own] = accept(iris, mapping)

    with refused("You cannot sample your own decisions; another IQA must review them."):
        assessment.iqa_review_record(
            actor=iris, decision=own, verdict=IqaAgreement.AGREE, feedback=""
        )


def test_a_decision_already_reviewed_is_refused(iris: User, accepted: Decision) -> None:
    assessment.iqa_review_record(
        actor=iris, decision=accepted, verdict=IqaAgreement.AGREE, feedback=""
    )

    with refused("This decision has already been sampled."):
        assessment.iqa_review_record(
            actor=iris, decision=accepted, verdict=IqaAgreement.DISAGREE, feedback="Second go."
        )


def test_an_iqa_from_another_centre_is_refused(olu: User, accepted: Decision) -> None:
    with refused(NOT_IQA):
        assessment.iqa_review_record(
            actor=olu, decision=accepted, verdict=IqaAgreement.AGREE, feedback=""
        )


@pytest.mark.parametrize("who", ["amy", "asha", "sam", "ada"])
def test_someone_without_the_iqa_role_cannot_review(
    request: pytest.FixtureRequest, accepted: Decision, who: str
) -> None:
    with refused(NOT_IQA):
        assessment.iqa_review_record(
            actor=request.getfixturevalue(who),
            decision=accepted,
            verdict=IqaAgreement.AGREE,
            feedback="",
        )


def test_a_reopening_is_not_sampled(iris: User, asha: User, mapping: Mapping) -> None:
    accept(asha, mapping)
    reopening = assessment.mapping_reopen(actor=asha, mapping=mapping, reason="Wrong photo.")

    with refused("Only accept and refer decisions are sampled."):
        assessment.iqa_review_record(
            actor=iris, decision=reopening, verdict=IqaAgreement.AGREE, feedback=""
        )


def test_a_verdict_is_agree_or_disagree(iris: User, accepted: Decision) -> None:
    with refused("Choose agree or disagree."):
        assessment.iqa_review_record(actor=iris, decision=accepted, verdict="maybe", feedback="")


# Sampling rates ------------------------------------------------------------------------------


def test_the_iqa_replaces_the_centres_sampling_rates(
    iris: User, asha: User, sam: User, pdr: Unit, wwo: Unit
) -> None:
    assessment.sampling_rates_set(
        actor=iris, default=20, by_assessor={asha.pk: 50}, by_unit={wwo.pk: 30}
    )

    assessment.sampling_rates_set(
        actor=iris,
        default=15,
        by_assessor={asha.pk: None, sam.pk: 40},
        by_unit={wwo.pk: None, pdr.pk: 100},
    )

    rates = {
        (r.assessor_id, r.unit_id): r.percent
        for r in SamplingRate.objects.filter(centre=iris.centre)
    }
    assert rates == {(None, None): 15, (sam.pk, None): 40, (None, pdr.pk): 100}
    entry = last_audit()
    assert (entry.action, entry.portfolio) == ("sampling.rates", None)
    assert entry.changes["after"] == {
        "default": 15,
        "assessors": {str(sam.pk): 40},
        "units": {str(pdr.pk): 100},
    }
    assert entry.changes["before"] == {
        "20% for everyone": 20,
        "50% for Asha Patel": 50,
        f"30% for {wwo}": 30,
    }


def test_only_an_iqa_sets_sampling_rates(asha: User) -> None:
    with refused("Only internal quality assurers set sampling rates."):
        assessment.sampling_rates_set(actor=asha, default=20, by_assessor={}, by_unit={})


@pytest.mark.parametrize(
    "rates",
    [
        {"default": 101, "by_assessor": {}, "by_unit": {}},
        {"default": 10, "by_assessor": {"asha": -1}, "by_unit": {}},
        {"default": 10, "by_assessor": {}, "by_unit": {"pdr": 150}},
    ],
    ids=["default", "assessor", "unit"],
)
def test_a_sampling_rate_outside_0_to_100_is_refused(
    iris: User, asha: User, pdr: Unit, rates: dict[str, Any]
) -> None:
    assessment.sampling_rates_set(actor=iris, default=10, by_assessor={}, by_unit={})
    ids = {"asha": asha.pk, "pdr": pdr.pk}
    by_assessor = {ids[k]: v for k, v in rates["by_assessor"].items()}
    by_unit = {ids[k]: v for k, v in rates["by_unit"].items()}

    with refused("Each rate is a percentage from 0 to 100."):
        assessment.sampling_rates_set(
            actor=iris, default=rates["default"], by_assessor=by_assessor, by_unit=by_unit
        )


# Append-only records -------------------------------------------------------------------------


@pytest.fixture
def records(
    iris: User, amy_portfolio: Portfolio, pdr: Unit
) -> dict[str, Decision | UnitDeclaration | IqaReview]:
    meet_unit(amy_portfolio, pdr)
    decision = Decision.objects.first()
    return {
        "decision": decision,
        "declaration": declare(amy_portfolio, pdr),
        "review": assessment.iqa_review_record(
            actor=iris, decision=decision, verdict=IqaAgreement.AGREE, feedback=""
        ),
    }


APPEND_ONLY_FIELDS = {"decision": "feedback", "declaration": "wording", "review": "feedback"}
OPERATIONS: dict[str, Callable[[Any, str], object]] = {
    "save": lambda row, field: (setattr(row, field, "Rewritten."), row.save()),
    "delete": lambda row, field: row.delete(),
    "queryset update": lambda row, field: (
        type(row).objects.filter(pk=row.pk).update(**{field: "Rewritten."})
    ),
    "queryset delete": lambda row, field: type(row).objects.filter(pk=row.pk).delete(),
}


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("kind", APPEND_ONLY_FIELDS)
def test_decisions_declarations_and_iqa_reviews_are_append_only(
    records: dict[str, Any], kind: str, operation: str
) -> None:
    row = records[kind]
    field = APPEND_ONLY_FIELDS[kind]
    stored = type(row).objects.values(field).get(pk=row.pk)

    with pytest.raises(TypeError, match="append-only"):
        OPERATIONS[operation](row, field)

    assert type(row).objects.values(field).get(pk=row.pk) == stored


def test_a_sign_off_cannot_be_deleted(amy_portfolio: Portfolio, pdr: Unit) -> None:
    signed = sign_off(amy_portfolio, pdr)

    with pytest.raises(TypeError, match=re.escape("Sign-offs are revoked, never deleted.")):
        signed.delete()

    assert UnitSignOff.objects.filter(pk=signed.pk).exists()


def test_a_sign_off_cannot_be_deleted_through_a_queryset(
    amy_portfolio: Portfolio, pdr: Unit
) -> None:
    signed = sign_off(amy_portfolio, pdr)

    with pytest.raises(TypeError):
        UnitSignOff.objects.filter(pk=signed.pk).delete()


# Every service writes exactly one audit entry -------------------------------------------------


def _draft(world: dict[str, Any]) -> Mapping:
    [draft] = learner_services.mappings_create(
        actor=world["amy"],
        evidence=world["evidence"],
        commentaries={criterion("RS-PDR", "1.1"): "A draft."},
    )
    return draft


def _submitted(world: dict[str, Any]) -> Mapping:
    [mapping] = submit(world["evidence"], criterion("RS-PDR", "1.1"))
    return mapping


def _accepted(world: dict[str, Any]) -> Mapping:
    mapping = _submitted(world)
    accept(world["asha"], mapping)
    return mapping


def _signed_off(world: dict[str, Any]) -> Mapping:
    sign_off(world["portfolio"], world["pdr"])
    return Mapping.objects.filter(status=MappingStatus.ACCEPTED).first()


def _met(world: dict[str, Any]) -> None:
    meet_unit(world["portfolio"], world["pdr"])


def _declared(world: dict[str, Any]) -> None:
    _met(world)
    declare(world["portfolio"], world["pdr"])


# name → (arrange, act): arrange builds the starting state; act is the one service call.
SERVICES: dict[str, tuple[Callable[[dict], Any], Callable[[dict, Any], object]]] = {
    "evidence_create": (
        lambda w: None,
        lambda w, _: learner_services.evidence_create(
            actor=w["amy"],
            portfolio=w["portfolio"],
            type="product",
            title="Rota",
            activity_date=timezone.localdate(),
            description="The rota I wrote.",
        ),
    ),
    "evidence_update": (
        lambda w: None,
        lambda w, _: learner_services.evidence_update(
            actor=w["amy"], evidence=w["evidence"], title="A better title"
        ),
    ),
    "evidence_delete": (
        lambda w: None,
        lambda w, _: learner_services.evidence_delete(actor=w["amy"], evidence=w["evidence"]),
    ),
    "evidence_file_add": (
        lambda w: None,
        lambda w, _: learner_services.evidence_file_add(
            actor=w["amy"], evidence=w["evidence"], uploaded=jpeg_upload("second.jpg")
        ),
    ),
    "evidence_file_delete": (
        lambda w: w["evidence"].files.get(),
        lambda w, file: learner_services.evidence_file_delete(actor=w["amy"], evidence_file=file),
    ),
    "mappings_create": (
        lambda w: None,
        lambda w, _: learner_services.mappings_create(
            actor=w["amy"],
            evidence=w["evidence"],
            commentaries={criterion("RS-PDR", "1.1"): "One.", criterion("RS-PDR", "1.2"): "Two."},
            submit=True,
        ),
    ),
    "mapping_update_commentary": (
        _draft,
        lambda w, m: learner_services.mapping_update_commentary(
            actor=w["amy"], mapping=m, commentary="Better."
        ),
    ),
    "mapping_delete": (
        _draft,
        lambda w, m: learner_services.mapping_delete(actor=w["amy"], mapping=m),
    ),
    "mapping_submit": (
        _draft,
        lambda w, m: learner_services.mapping_submit(actor=w["amy"], mapping=m),
    ),
    "mappings_submit_all": (
        _draft,
        lambda w, m: learner_services.mappings_submit_all(actor=w["amy"], evidence=w["evidence"]),
    ),
    "mapping_withdraw": (
        _submitted,
        lambda w, m: learner_services.mapping_withdraw(actor=w["amy"], mapping=m),
    ),
    "mappings_decide": (
        lambda w: submit(w["evidence"], *criteria_of(w["pdr"])),
        lambda w, ms: assessment.mappings_decide(
            actor=w["asha"],
            evidence=w["evidence"],
            requests=[
                request_for(ms[0], Outcome.ACCEPTED),
                request_for(ms[1], Outcome.REFERRED, "More."),
            ],
        ),
    ),
    "mapping_reopen": (
        _accepted,
        lambda w, m: assessment.mapping_reopen(actor=w["asha"], mapping=m, reason="Wrong photo."),
    ),
    "mapping_reopen revoking a sign-off": (
        _signed_off,
        lambda w, m: assessment.mapping_reopen(actor=w["asha"], mapping=m, reason="Wrong photo."),
    ),
    "unit_declare": (
        _met,
        lambda w, _: assessment.unit_declare(
            actor=w["amy"], portfolio=w["portfolio"], unit=w["pdr"]
        ),
    ),
    "unit_sign_off": (
        _declared,
        lambda w, _: assessment.unit_sign_off(
            actor=w["asha"], portfolio=w["portfolio"], unit=w["pdr"]
        ),
    ),
    "iqa_review_record agree": (
        lambda w: accept(w["asha"], _submitted(w))[0],
        lambda w, d: assessment.iqa_review_record(
            actor=w["iris"], decision=d, verdict=IqaAgreement.AGREE, feedback=""
        ),
    ),
    "iqa_review_record disagree": (
        lambda w: accept(w["asha"], _submitted(w))[0],
        lambda w, d: assessment.iqa_review_record(
            actor=w["iris"], decision=d, verdict=IqaAgreement.DISAGREE, feedback="Not enough."
        ),
    ),
    "sampling_rates_set": (
        lambda w: None,
        lambda w, _: assessment.sampling_rates_set(
            actor=w["iris"], default=25, by_assessor={w["asha"].pk: 50}, by_unit={}
        ),
    ),
}


ACTIONS = {
    "evidence_create": "evidence.create",
    "evidence_update": "evidence.update",
    "evidence_delete": "evidence.delete",
    "evidence_file_add": "evidence_file.add",
    "evidence_file_delete": "evidence_file.delete",
    "mappings_create": "mapping.create",
    "mapping_update_commentary": "mapping.update",
    "mapping_delete": "mapping.delete",
    "mapping_submit": "mapping.submit",
    "mappings_submit_all": "mapping.submit",
    "mapping_withdraw": "mapping.withdraw",
    "mappings_decide": "mapping.decide",
    "mapping_reopen": "mapping.reopen",
    "mapping_reopen revoking a sign-off": "mapping.reopen",
    "unit_declare": "unit.declare",
    "unit_sign_off": "unit.sign_off",
    "iqa_review_record agree": "iqa.review",
    "iqa_review_record disagree": "iqa.review",
    "sampling_rates_set": "sampling.rates",
}


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_writes_exactly_one_audit_entry(
    amy: User,
    asha: User,
    iris: User,
    amy_portfolio: Portfolio,
    pdr: Unit,
    service: str,
) -> None:
    world = {
        "amy": amy,
        "asha": asha,
        "iris": iris,
        "portfolio": amy_portfolio,
        "pdr": pdr,
        "evidence": add_evidence(amy_portfolio),
    }
    arrange, act = SERVICES[service]
    arranged = arrange(world)
    before = AuditEntry.objects.count()

    act(world, arranged)

    assert AuditEntry.objects.count() == before + 1
    assert last_audit().action == ACTIONS[service]


# Progress rules ------------------------------------------------------------------------------


def test_a_criterion_is_met_when_any_of_its_mappings_is_accepted(
    asha: User, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    target = criterion("RS-PDR", "1.1")
    [referred] = submit(add_evidence(amy_portfolio, "Board"), target)
    [accepted] = submit(add_evidence(amy_portfolio, "Plan"), target)
    refer(asha, referred)
    assert not criterion_progress.criterion_is_met(amy_portfolio, target)

    accept(asha, accepted)

    assert criterion_progress.criterion_is_met(amy_portfolio, target)
    assert (
        criterion_progress.criterion_statuses(amy_portfolio)[target.pk]
        == criterion_progress.CriterionStatus.MET
    )


def test_a_unit_is_ready_for_sign_off_when_every_criterion_is_met(
    asha: User, amy_portfolio: Portfolio, pdr_mappings: list[Mapping], pdr: Unit
) -> None:
    accept(asha, *pdr_mappings[:3])
    [unit] = [u for u in progress.portfolio_progress(amy_portfolio) if u.unit == pdr]
    assert (unit.met, unit.total, unit.all_met, unit.ready_for_sign_off) == (3, 4, False, False)
    assert not progress.unit_all_met(amy_portfolio, pdr)

    accept(asha, pdr_mappings[3])

    [unit] = [u for u in progress.portfolio_progress(amy_portfolio) if u.unit == pdr]
    assert (unit.met, unit.all_met, unit.ready_for_sign_off) == (4, True, True)
    assert progress.unit_all_met(amy_portfolio, pdr)


def test_a_portfolio_is_complete_only_when_every_unit_is_signed_off(
    amy_portfolio: Portfolio, pdr: Unit, wwo: Unit
) -> None:
    def complete() -> bool:
        return progress.portfolio_is_complete(
            amy_portfolio, progress.portfolio_progress(amy_portfolio)
        )

    assert not complete()
    sign_off(amy_portfolio, pdr)
    units = progress.portfolio_progress(amy_portfolio)
    assert [u.signed_off for u in units] == [False, True]
    assert not progress.portfolio_is_complete(amy_portfolio, units)

    sign_off(amy_portfolio, wwo)

    assert complete()
    assert progress.completion([amy_portfolio]) == {amy_portfolio.pk: True}


def test_a_portfolio_with_no_units_is_not_complete(amy: User, ocr: Qualification) -> None:
    empty = Qualification.objects.create(
        reference="EMPTY",
        awarding_body=ocr.awarding_body,
        title="A qualification with no units yet",
        level=ocr.level,
        framework=ocr.framework,
    )
    portfolio = PortfolioFactory(learner=amy, qualification=empty)

    units = progress.portfolio_progress(portfolio)

    assert units == []
    assert not progress.portfolio_is_complete(portfolio, units)
    assert progress.completion([portfolio]) == {portfolio.pk: False}


def test_a_revoked_sign_off_does_not_count(
    asha: User, amy_portfolio: Portfolio, pdr: Unit, wwo: Unit
) -> None:
    sign_off(amy_portfolio, pdr)
    sign_off(amy_portfolio, wwo)
    reopened = Mapping.objects.get(
        evidence__portfolio=amy_portfolio, criterion__unit=pdr, criterion__number="1.1"
    )

    assessment.mapping_reopen(actor=asha, mapping=reopened, reason="Wrong plan.")

    units = progress.portfolio_progress(amy_portfolio)
    assert [(u.unit.reference, u.signed_off) for u in units] == [
        ("RS-WWO", True),
        ("RS-PDR", False),
    ]
    assert not progress.portfolio_is_complete(amy_portfolio, units)
    assert UnitSignOff.objects.filter(portfolio=amy_portfolio).count() == 2


def test_declarations_and_sign_offs_show_in_progress(
    amy: User, asha: User, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    sign_off(amy_portfolio, pdr)

    [unit] = [u for u in progress.portfolio_progress(amy_portfolio) if u.unit == pdr]

    assert unit.declaration.declared_by == amy
    assert unit.sign_off.signed_by == asha
    assert not unit.ready_for_sign_off
