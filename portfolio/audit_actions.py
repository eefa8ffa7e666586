"""The audit actions the portfolio's services record, and how each reads on the timeline."""

from __future__ import annotations

from portfolio.audit import AuditAction, Changes, Field, before_after, choice, day, quoted, register
from portfolio.models import EvidenceType, MappingStatus
from portfolio.templatetags.portfolio_tags import filesize

MAPPING_STATUS = Field("Status", choice(MappingStatus, lower=True))
mapping_status = MAPPING_STATUS.show

EVIDENCE_FIELDS = {
    "title": Field("Title", quoted),
    "type": Field("Type", choice(EvidenceType)),
    "activity_date": Field("Date of the activity", day),
    "description": Field("Description", quoted),
    "files": Field("Files"),
    "mappings": Field("Criteria mapped"),
}


def file_details(changes: Changes) -> list[str]:
    """One file in one line: "File: photo.jpg, 1.2 MB, SHA-256 3fa9…c21e"."""
    file = changes.get("after") or changes["before"]
    parts = [file["name"]]
    if file.get("size") is not None:
        parts.append(filesize(file["size"]))
    if file.get("sha256"):
        parts.append(f"SHA-256 {file['sha256']}")
    return [f"File: {', '.join(parts)}"]


def mappings_made(changes: Changes) -> list[str]:
    """Criteria mapped: RS-PDR 1.1 (draft), RS-WWO 2.3 (submitted); then each commentary."""
    made = changes["after"]
    listed = ", ".join(f"{m['criterion']} ({mapping_status(m['status'])})" for m in made)
    return [f"Criteria mapped: {listed}"] + [
        f"Commentary on {m['criterion']}: {quoted(m['commentary'])}"
        for m in made
        if m.get("commentary")
    ]


def mappings_submitted(changes: Changes) -> list[str]:
    """One mapping's status change, or each of the evidence's mappings that went together."""
    if "mappings" not in changes:
        return before_after(status=MAPPING_STATUS)(changes)
    return [
        f"{m['criterion']}: {mapping_status(m['before'])} → {mapping_status(m['after'])}"
        for m in changes["mappings"]
    ]


COMMENTARY = Field("Commentary", quoted)

register(
    AuditAction("evidence.create", "Added evidence", details=before_after(**EVIDENCE_FIELDS)),
    AuditAction("evidence.update", "Edited evidence", details=before_after(**EVIDENCE_FIELDS)),
    AuditAction("evidence.delete", "Deleted evidence", details=before_after(**EVIDENCE_FIELDS)),
    AuditAction("evidence_file.add", "Added a file", details=file_details),
    AuditAction("evidence_file.delete", "Removed a file", details=file_details),
    AuditAction("mapping.create", "Mapped evidence to criteria", details=mappings_made),
    AuditAction(
        "mapping.update",
        "Edited a mapping’s commentary",
        details=before_after(commentary=COMMENTARY),
    ),
    AuditAction(
        "mapping.delete",
        "Removed a draft mapping",
        details=before_after(criterion=Field("Criterion"), commentary=COMMENTARY),
    ),
    AuditAction("mapping.submit", "Submitted for assessment", details=mappings_submitted),
    AuditAction(
        "mapping.withdraw", "Withdrew from assessment", details=before_after(status=MAPPING_STATUS)
    ),
)

WITNESS_FIELDS = {
    "witness": Field("Witness"),
    "job_title": Field("Job title"),
    "relationship": Field("Relationship to the learner"),
    "email": Field("Email"),
    "expires": Field("Link works until", day),
    "activity": Field("Activity described", quoted),
    "criteria": Field("Criteria to speak to"),
    "activity_date": Field("Date seen", day),
    "description": Field("What they saw", quoted),
    "activities": Field("Activities", quoted),
    "declaration": Field("Declaration", quoted),
    "signed_name": Field("Signed", quoted),
}
witness_details = before_after(**WITNESS_FIELDS)


def by_witness(changes: Changes) -> str | None:
    """The witness, named as they were asked, for the steps they take without an account."""
    name = changes.get("witness") or (changes.get("after") or {}).get("witness")
    return f"{name} (witness)" if name else None


register(
    AuditAction("witness.request", "Asked a witness for a statement", details=witness_details),
    AuditAction("witness.email_sent", "Emailed the witness their link", details=witness_details),
    AuditAction("witness.open", "Opened their link", details=witness_details, by=by_witness),
    AuditAction("witness.resend", "Sent the witness a new link", details=witness_details),
    AuditAction("witness.revoke", "Revoked a witness’s link", details=witness_details),
    AuditAction(
        "witness.submit", "Gave a witness statement", details=witness_details, by=by_witness
    ),
)

HOURS_FIELDS = {
    "date": Field("Date", day),
    "hours": Field("Hours"),
    "activity": Field("What they did", quoted),
    "evidence": Field("Linked evidence", quoted),
    "reason": Field("Query", quoted),
}
hours_details = before_after(**HOURS_FIELDS)

register(
    AuditAction("hours.log", "Logged off-the-job hours", details=hours_details),
    AuditAction("hours.correct", "Corrected off-the-job hours", details=hours_details),
    AuditAction("hours.confirm", "Confirmed off-the-job hours", details=hours_details),
    AuditAction("hours.query", "Queried off-the-job hours", details=hours_details),
)

EQA_FIELDS = {
    "assurer": Field("External quality assurer"),
    "email": Field("Email"),
    "organisation": Field("Assuring for"),
    "expires": Field("Access until the end of", day),
    "portfolios": Field("Sample"),
    "units": Field("Sampled by unit"),
}
eqa_details = before_after(**EQA_FIELDS)

# Access for an external quality assurer changes no portfolio's content, and is recorded
# against no portfolio: the grant's page lists these entries with the pages opened.
register(
    *(
        AuditAction(code, text, changes_content=False, details=eqa_details)
        for code, text in (
            ("eqa.grant", "Granted an external quality assurer read-only access"),
            ("eqa.code_sent", "Was emailed a one-time sign-in code"),
            ("eqa.sign_in", "Signed in for external quality assurance"),
            ("eqa.revoke", "Revoked an external quality assurer’s access"),
        )
    )
)

MESSAGE_FIELDS = {
    "evidence": Field("About evidence"),
    "body": Field("Message", quoted),
    "characters": Field("Characters written"),
}
message_details = before_after(**MESSAGE_FIELDS)

# A message about evidence prints in that evidence's section of the PDF, so it changes what the
# portfolio holds; the portfolio's own thread is not printed.
register(
    AuditAction("message.evidence", "Wrote a message about evidence", details=message_details),
    AuditAction(
        "message.portfolio",
        "Wrote a message on the portfolio",
        changes_content=False,
        details=message_details,
    ),
)
