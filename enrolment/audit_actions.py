"""The audit actions enrolment's services record, and how each reads on the timeline."""

from __future__ import annotations

from typing import Any

from portfolio.audit import (
    AuditAction,
    Changes,
    Field,
    before_after,
    day,
    plain,
    quoted,
    register,
)

# An intake can enrol hundreds: name the first few, count the rest (the raw record has them all).
ENROLMENTS_NAMED = 10


def enrolled(value: Any) -> str:
    """Who an intake enrolled, as "amy@example.com on OCR-L3-RSSP-CERT"."""
    named = [f"{email} on {qualification}" for email, qualification in value[:ENROLMENTS_NAMED]]
    if not named:
        return plain(value)
    more = len(value) - len(named)
    return ", ".join(named) + (f" and {more} more" if more else "")


def version_moved(changes: Changes) -> list[str]:
    """The versions, then one line per mapping carried or left, per choice, per unit to redo."""
    lines = [
        f"Qualification: {changes['before']['qualification']} → {changes['after']['qualification']}"
    ]
    for key, label in VERSION_MOVE_LINES:
        lines += [f"{label}: {item}" for item in changes.get(key, [])]
    if not changes.get("carried"):
        lines.append("Carried across: nothing")
    return lines


VERSION_MOVE_LINES = (
    ("carried", "Carried across"),
    ("not_carried", "Not carried, for the assessor"),
    ("choices_kept", "Optional unit kept"),
    ("choices_dropped", "Optional unit dropped"),
    ("sign_off_again", "To sign off again"),
    ("declare_again", "To declare again"),
)

# Named in the order they read best; keys not named here follow, labelled from the key.
DATES = {
    "start_date": Field("Start date", day),
    "planned_end_date": Field("Planned end date", day),
}
PEOPLE = {
    "learner": Field("Learner"),
    "email": Field("Email"),
    "new_account": Field("New account with an invitation"),
    "qualification": Field("Qualification"),
    "cohort": Field("Cohort"),
    "assessor": Field("Assessor"),
    "tutor": Field("Tutor"),
}

register(
    AuditAction(
        "cohort.create",
        "Created a cohort",
        details=before_after(
            name=Field("Name", quoted),
            qualification=Field("Qualification"),
            tutors=Field("Tutors"),
            **DATES,
        ),
    ),
    AuditAction(
        "learner.enrol",
        "Enrolled the learner",
        details=before_after(
            **PEOPLE,
            **DATES,
            uln=Field("ULN"),
            registration_number=Field("Registration number"),
        ),
    ),
    AuditAction(
        "intake.import",
        "Enrolled learners from a spreadsheet",
        details=before_after(
            rows=Field("Rows in the file"),
            new_learners=Field("New learners"),
            already_enrolled=Field("Already enrolled"),
            enrolled=Field("Enrolled", enrolled),
        ),
    ),
    AuditAction(
        "portfolio.reassign",
        "Changed the assessor, tutor, designated IQA or learner numbers",
        details=before_after(
            assessor=Field("Assessor"),
            tutor=Field("Tutor"),
            iqa=Field("Designated IQA"),
            registration_number=Field("Registration number"),
            uln=Field("ULN"),
        ),
    ),
    AuditAction(
        "portfolio.apprenticeship",
        "Changed the apprenticeship settings",
        details=before_after(
            apprenticeship=Field("Apprenticeship"),
            employer=Field("Employer contact"),
            planned_hours=Field("Planned off-the-job hours"),
            new_account=Field("New account with an invitation"),
        ),
    ),
    AuditAction(
        "portfolio.move_version",
        "Moved the portfolio to another version of its qualification",
        details=version_moved,
    ),
)
