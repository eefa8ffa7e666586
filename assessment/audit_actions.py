"""The audit actions assessment's services record, and how each reads on the timeline."""

from __future__ import annotations

from assessment.models import VACSR, IqaAgreement, Outcome, PlanMethod
from portfolio.audit import (
    AuditAction,
    Changes,
    Field,
    before_after,
    choice,
    day,
    quoted,
    register,
)
from portfolio.audit_actions import MAPPING_STATUS
from portfolio.models import EvidenceType

outcome = choice(Outcome, lower=True)


def vacsr_words(vacsr: dict[str, dict[str, object]] | None) -> str:
    """ "VACSR all confirmed" or which were not, with any notes; empty for entries without
    VACSR (referrals without it, and decisions from before it was required)."""
    if not vacsr:
        return ""
    refused = [c.label.lower() for c in VACSR if not vacsr.get(c.key, {}).get("confirmed")]
    words = f"VACSR not confirmed: {', '.join(refused)}" if refused else "VACSR all confirmed"
    notes = [
        f"{c.label.lower()} {quoted(str(vacsr[c.key]['note']))}"
        for c in VACSR
        if vacsr.get(c.key, {}).get("note")
    ]
    return f"{words} (notes: {'; '.join(notes)})" if notes else words


def decisions_made(changes: Changes) -> list[str]:
    """One line per criterion: "RS-PDR 1.1: referred, feedback “Say more.”", with VACSR."""
    lines = []
    for decision in changes["decisions"]:
        line = f"{decision['criterion']}: {outcome(decision['after'])}"
        if decision.get("feedback"):
            line += f", feedback {quoted(decision['feedback'])}"
        if vacsr := vacsr_words(decision.get("vacsr")):
            line += f"; {vacsr}"
        lines.append(line)
    return lines


def iqa_verdict(changes: Changes) -> list[str]:
    """Whether the IQA agreed, what they said, and whether the mapping went back to be assessed."""
    agreed = changes["verdict"] == IqaAgreement.AGREE
    lines = [f"{'Agreed' if agreed else 'Disagreed'} with the assessor’s decision"]
    if changes.get("feedback"):
        lines.append(f"Feedback: {quoted(changes['feedback'])}")
    if changes.get("mapping_reopened"):
        lines.append("The mapping went back to the assessor")
    return lines


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def sampling_rates(changes: Changes) -> list[str]:
    """The rates before (stored by name) and after (stored by id, so counted, not named)."""
    after = changes["after"]
    lines = [f"Before: {', '.join(changes.get('before') or {}) or 'no rates'}"]
    lines.append(f"Default rate: {after['default']}%")
    if after.get("assessors"):
        lines.append(f"Own rates for {plural(len(after['assessors']), 'assessor')}")
    if after.get("units"):
        lines.append(f"Own rates for {plural(len(after['units']), 'unit')}")
    return lines


RECORD_FIELDS = {
    "type": Field("Type", choice(EvidenceType)),
    "title": Field("Title", quoted),
    "where": Field("Where"),
    "when": Field("When"),
    "observed": Field("What was observed", quoted),
    "questions": Field("Questions and answers"),
    "judgement": Field("Judgement", quoted),
    "criteria": Field("Criteria"),
    "audio": Field("Audio recording"),
}
ACKNOWLEDGEMENT = {
    "wording": Field("Wording", quoted),
    "submitted": Field("Submitted for assessment"),
}

PLAN_ITEM = {
    "activity": Field("Activity", quoted),
    "method": Field("Method", choice(PlanMethod)),
    "criteria": Field("Criteria"),
    "target": Field("Target date", day),
}
PROGRESS_REVIEW = {
    "held_on": Field("Held on", day),
    "progress": Field("Progress against the plan", quoted),
    "next_steps": Field("What comes next", quoted),
    "three_way": Field("Three-way, with the employer"),
    "party": Field("Signed as"),
    "wording": Field("Wording", quoted),
    "complete": Field("Every party has now signed"),
}

WORDING = {"unit": Field("Unit"), "wording": Field("Wording", quoted)}
CHOICE = {"unit": Field("Unit"), "group": Field("Group")}

register(
    AuditAction("mapping.decide", "Recorded assessment decisions", details=decisions_made),
    AuditAction(
        "mapping.reopen",
        "Reopened an accepted mapping",
        details=before_after(
            status=MAPPING_STATUS,
            reason=Field("Reason", quoted),
            sign_off_revoked=Field("Sign-off withdrawn for unit"),
        ),
    ),
    AuditAction("unit.declare", "Declared a unit their own work", details=before_after(**WORDING)),
    AuditAction("unit.sign_off", "Signed off a unit", details=before_after(**WORDING)),
    AuditAction("unit.choose", "Chose an optional unit", details=before_after(**CHOICE)),
    AuditAction("unit.remove", "Removed an optional unit", details=before_after(**CHOICE)),
    AuditAction("unit.countersign", "Countersigned a unit as IQA", details=before_after(**WORDING)),
    AuditAction(
        "portfolio.countersign",
        "Countersigned the portfolio as IQA",
        details=before_after(wording=Field("Wording", quoted)),
    ),
    AuditAction(
        "countersignature.revoke",
        "An IQA countersignature was withdrawn",
        details=before_after(unit=Field("Unit"), reason=Field("Reason", quoted)),
    ),
    AuditAction(
        "record.create", "Wrote an assessor’s record", details=before_after(**RECORD_FIELDS)
    ),
    AuditAction(
        "record.update", "Corrected an assessor’s record", details=before_after(**RECORD_FIELDS)
    ),
    AuditAction(
        "record.acknowledge",
        "Acknowledged an assessor’s record as fair",
        details=before_after(**ACKNOWLEDGEMENT),
    ),
    AuditAction(
        "plan_item.create",
        "Added an item to the assessment plan",
        details=before_after(**PLAN_ITEM),
    ),
    AuditAction(
        "plan_item.update",
        "Changed an item of the assessment plan",
        details=before_after(**PLAN_ITEM),
    ),
    AuditAction(
        "plan_item.remove",
        "Removed an item from the assessment plan",
        details=before_after(**PLAN_ITEM),
    ),
    AuditAction(
        "progress_review.create",
        "Wrote up a progress review",
        details=before_after(**PROGRESS_REVIEW),
    ),
    AuditAction(
        "progress_review.sign", "Signed a progress review", details=before_after(**PROGRESS_REVIEW)
    ),
    AuditAction("iqa.review", "Quality-assured a decision", details=iqa_verdict),
    AuditAction("sampling.rates", "Set IQA sampling rates", details=sampling_rates),
)
