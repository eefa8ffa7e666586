"""An assessor's decisions on mappings: accept or refer, and reopen an acceptance. Same shape as
portfolio/services/: keyword-only arguments, one transaction, rows re-read under a lock, a
state check that refuses with a message, and exactly one audit entry per call."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.notifications import notify
from assessment.models import VACSR, VACSR_KEYS, Decision, Outcome, UnitSignOff, VacsrCriterion
from assessment.services.actors import refuse_unless_assessor
from assessment.services.declarations import sign_off_revoke_if_unmet
from portfolio.audit import audit_record
from portfolio.errors import ActionRefused
from portfolio.models import Evidence, Mapping, MappingStatus
from qualifications.models import criteria_in_words


class DecisionConflict(ActionRefused):
    """Someone else changed the mapping between the page loading and the decision arriving."""


@dataclass(frozen=True)
class Vacsr:
    """The assessor's judgement that the evidence is valid, authentic, current, sufficient and
    reliable: each confirmed or not, with an optional note by key ("valid", ...). A note is
    required for one not confirmed: it becomes the learner's reason for the referral."""

    valid: bool = False
    authentic: bool = False
    current: bool = False
    sufficient: bool = False
    reliable: bool = False
    notes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def confirmed(cls, **notes: str) -> Vacsr:
        """All five confirmed, with any notes given by key: `Vacsr.confirmed(authentic="...")`."""
        return cls(True, True, True, True, True, notes=dict(notes))

    def note(self, key: str) -> str:
        return (self.notes.get(key) or "").strip()

    def refused(self) -> list[VacsrCriterion]:
        """The criteria not confirmed, in VACSR order."""
        return [c for c in VACSR if not getattr(self, c.key)]

    def columns(self) -> dict[str, bool | str]:
        """The Decision columns that record it."""
        columns: dict[str, bool | str] = {}
        for key in VACSR_KEYS:
            columns[f"vacsr_{key}"] = bool(getattr(self, key))
            columns[f"vacsr_{key}_note"] = self.note(key)
        return columns

    def for_audit(self) -> dict[str, dict[str, bool | str]]:
        return {
            key: {"confirmed": bool(getattr(self, key)), "note": self.note(key)}
            for key in VACSR_KEYS
        }


@dataclass(frozen=True)
class DecisionRequest:
    """One accept or refer as the assessor chose it on the page, checked by the service.

    An acceptance needs `vacsr`; if any of the five is not confirmed it is recorded as a
    referral, its notes the reason. A referral may carry `vacsr` too (its refusals then give
    the reason); without it, the feedback is the whole reason."""

    mapping_id: int
    outcome: str
    feedback: str
    # When the mapping was submitted, as the assessor saw it: a version check.
    seen_submitted_at: datetime.datetime | None
    vacsr: Vacsr | None = None


def _describe_latest(mapping: Mapping) -> str:
    """What happened to a mapping meanwhile, in words for the assessor who arrived too late."""
    latest = mapping.decisions.select_related("decided_by").order_by("-decided_at", "-pk").first()
    if latest is None:
        return f"it is now {mapping.get_status_display().lower()}"
    local = timezone.localtime(latest.decided_at)
    when = f"{local:%H:%M} on {local.day} {local:%B}"
    return f"{latest.decided_by} {latest.get_outcome_display().lower()} it at {when}"


def _judged(request: DecisionRequest, mapping: Mapping) -> tuple[str, str]:
    """The outcome and feedback to record: an acceptance needs all five VACSR criteria
    confirmed, and one not confirmed makes it a referral whose feedback opens with the reason."""
    number = mapping.criterion.reference
    vacsr = request.vacsr
    feedback = request.feedback.strip()
    if vacsr is None:
        if request.outcome == Outcome.ACCEPTED:
            raise ActionRefused(
                f"Confirm the evidence is valid, authentic, current, sufficient and reliable "
                f"before accepting criterion {number}."
            )
        return request.outcome, feedback
    unknown = set(vacsr.notes) - set(VACSR_KEYS)
    if unknown:
        raise ActionRefused(f"VACSR has no criterion called {', '.join(sorted(unknown))}.")
    if any(len(vacsr.note(key)) > 2_000 for key in VACSR_KEYS):
        raise ActionRefused("Keep each VACSR note under 2,000 characters.")
    refused = vacsr.refused()
    for criterion in refused:
        if not vacsr.note(criterion.key):
            raise ActionRefused(
                f"Say why the evidence is not {criterion.label.lower()} for criterion {number}: "
                "the learner needs the reason."
            )
    if not refused:
        return request.outcome, feedback
    reasons = [f"{criterion.refusal}: {vacsr.note(criterion.key)}" for criterion in refused]
    return Outcome.REFERRED, "\n".join(reasons + ([f"\n{feedback}"] if feedback else []))


@transaction.atomic
def mappings_decide(
    *, actor: User, evidence: Evidence, requests: list[DecisionRequest]
) -> list[Decision]:
    """Accept or refer several mappings of one evidence item at once: all recorded, or none."""
    evidence = Evidence.objects.select_related("portfolio__learner").get(pk=evidence.pk)
    portfolio = evidence.portfolio
    refuse_unless_assessor(actor, portfolio)
    if not requests:
        raise ActionRefused("Choose accept or refer for at least one mapping.")
    mappings = {
        m.pk: m
        for m in Mapping.objects.select_for_update(of=("self",))
        .select_related("criterion__unit", "evidence__portfolio")
        .filter(evidence=evidence, pk__in=[r.mapping_id for r in requests])
        .order_by("pk")
    }
    # Kept on each decision, so a resubmission can show the assessor what changed since.
    files_seen = [
        {"id": pk, "name": name}
        for pk, name in evidence.files.order_by("uploaded_at", "pk").values_list(
            "pk", "original_name"
        )
    ]
    decisions = []
    for request in requests:
        mapping = mappings.get(request.mapping_id)
        if mapping is None:
            raise ActionRefused("That mapping is not part of this evidence.")
        if request.outcome not in (Outcome.ACCEPTED, Outcome.REFERRED):
            raise ActionRefused("A decision is either accept or refer.")
        seen = request.seen_submitted_at
        if mapping.status != MappingStatus.SUBMITTED or (
            seen is not None and mapping.submitted_at != seen
        ):
            if mapping.status == MappingStatus.SUBMITTED:
                detail = "the learner resubmitted it"
            elif mapping.status == MappingStatus.DRAFT and seen is not None:
                detail = "the learner withdrew it"
            elif mapping.status == MappingStatus.DRAFT:
                detail = "it has not been submitted for assessment"
            else:
                detail = _describe_latest(mapping)
            raise DecisionConflict(
                f"Criterion {mapping.criterion.reference} changed while you were reviewing: "
                f"{detail}. Nothing was recorded; check the page as it is now and decide again."
            )
        outcome, feedback = _judged(request, mapping)
        if outcome == Outcome.REFERRED and not feedback:
            raise ActionRefused(
                f"Say what is missing for criterion {mapping.criterion.reference}: a referral "
                "needs feedback for the learner."
            )
        if len(feedback) > 10_000:
            raise ActionRefused("Keep feedback under 10,000 characters.")
        decisions.append(
            Decision.objects.create(
                mapping=mapping,
                outcome=outcome,
                feedback=feedback,
                decided_by=actor,
                commentary_seen=mapping.commentary,
                files_seen=files_seen,
                **(request.vacsr.columns() if request.vacsr else {}),
            )
        )
        mapping.status = (
            MappingStatus.ACCEPTED if outcome == Outcome.ACCEPTED else MappingStatus.REFERRED
        )
        mapping.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="mapping.decide",
        obj=evidence,
        portfolio=portfolio,
        changes={
            "decisions": [
                {
                    "criterion": d.mapping.criterion.reference,
                    "before": MappingStatus.SUBMITTED,
                    "after": d.outcome,
                    "feedback": d.feedback,
                    "vacsr": r.vacsr.for_audit() if r.vacsr else None,
                }
                for d, r in zip(decisions, requests, strict=True)
            ]
        },
    )
    parts = [
        f"{verb} {criteria_in_words(chosen)}"
        for verb, outcome in (("accepted", Outcome.ACCEPTED), ("referred", Outcome.REFERRED))
        if (chosen := [d.mapping.criterion for d in decisions if d.outcome == outcome])
    ]
    # "accepted RS-PDR 1.1 and RS-PDR 2.1, and referred …": a comma only where "and" repeats.
    joined = (", and " if " and " in parts[0] else " and ").join(parts)
    notify(
        recipient=portfolio.learner,
        message=f"{actor} {joined} from {evidence.reference} “{evidence.title}”.",
        link=reverse("portfolio:evidence_detail", args=[evidence.pk]),
    )
    return decisions


def record_reopening(
    *, actor: User, mapping: Mapping, reason: str
) -> tuple[Decision, UnitSignOff | None]:
    """The reopening itself, for a mapping the caller has locked: the caller's transaction
    holds it and the caller writes the one audit entry."""
    decision = Decision.objects.create(
        mapping=mapping, outcome=Outcome.REOPENED, feedback=reason, decided_by=actor
    )
    mapping.status = MappingStatus.SUBMITTED
    # A new version: a review page loaded before the reopening must not decide it unseen.
    mapping.submitted_at = timezone.now()
    mapping.save(update_fields=["status", "submitted_at"])
    return decision, sign_off_revoke_if_unmet(actor=actor, mapping=mapping, reason=reason)


@transaction.atomic
def mapping_reopen(*, actor: User, mapping: Mapping, reason: str) -> Decision:
    """Take back an acceptance: the mapping returns to the assessor's queue."""
    mapping = (
        Mapping.objects.select_for_update(of=("self",))
        .select_related("criterion__unit", "evidence__portfolio__learner")
        .get(pk=mapping.pk)
    )
    portfolio = mapping.evidence.portfolio
    refuse_unless_assessor(actor, portfolio)
    reason = reason.strip()
    if not reason:
        raise ActionRefused("Give a reason for reopening: it is kept in the record.")
    if mapping.status != MappingStatus.ACCEPTED:
        raise ActionRefused(
            f"Only an accepted mapping can be reopened; this one is "
            f"{mapping.get_status_display().lower()}."
        )
    decision, revoked = record_reopening(actor=actor, mapping=mapping, reason=reason)
    audit_record(
        actor=actor,
        action="mapping.reopen",
        obj=mapping,
        portfolio=portfolio,
        changes={
            "before": {"status": MappingStatus.ACCEPTED},
            "after": {"status": MappingStatus.SUBMITTED},
            "reason": reason,
            "sign_off_revoked": revoked.unit.reference if revoked else None,
        },
    )
    notify(
        recipient=portfolio.learner,
        message=(
            f"{actor} reopened criterion {mapping.criterion.reference} of "
            f"{mapping.criterion.unit.title}: {reason}"
        ),
        link=reverse("portfolio:evidence_detail", args=[mapping.evidence_id]),
    )
    return decision
