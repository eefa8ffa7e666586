"""Messages between a learner and the staff who assess and follow them: one thread per
portfolio and one per piece of evidence. Append-only: a message is posted, audited and the
other participants told; nothing edits or deletes it afterwards."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from accounts.models import Role, User
from accounts.notifications import notify
from portfolio.access import can_post_message
from portfolio.audit import audit_record
from portfolio.errors import ActionRefused
from portfolio.models import MESSAGE_MAX_LENGTH, Evidence, Message, Portfolio

# How much of a message its notification quotes.
PREVIEW_LENGTH = 120


def thread_link(portfolio: Portfolio, evidence: Evidence | None) -> str:
    """Where a thread is read: beside the evidence, or on the portfolio's Messages page."""
    if evidence is not None:
        return reverse("portfolio:evidence_detail", args=[evidence.pk]) + "#messages"
    return reverse("portfolio:portfolio_messages", args=[portfolio.pk]) + "#messages"


def thread_participants(portfolio: Portfolio, evidence: Evidence | None) -> list[User]:
    """Who hears of a new message: the learner, their assessor, their tutors (named on the
    portfolio or teaching its cohort), the designated IQA, and any other IQA of the centre
    who has written in this thread; one query."""
    people: dict[int, User] = {}
    for person in (portfolio.learner, portfolio.assessor, portfolio.tutor, portfolio.iqa):
        if person is not None:
            people[person.pk] = person
    written = Message.objects.filter(portfolio=portfolio, evidence=evidence).values("author_id")
    joined = Q(pk__in=written, memberships__role=Role.IQA)
    if portfolio.cohort_id:
        joined |= Q(cohorts_taught=portfolio.cohort_id, memberships__role=Role.TUTOR)
    others = User.objects.filter(joined, centre_id=portfolio.centre_id).distinct()
    for person in others:
        people.setdefault(person.pk, person)
    return list(people.values())


def _preview(body: str) -> str:
    line = " ".join(body.split())
    return line if len(line) <= PREVIEW_LENGTH else line[: PREVIEW_LENGTH - 1].rstrip() + "…"


@transaction.atomic
def message_post(
    *, actor: User, portfolio: Portfolio, body: str, evidence: Evidence | None = None
) -> Message:
    """Post a message in the portfolio's thread, or in the thread about one of its evidence."""
    if not can_post_message(actor, portfolio):
        raise ActionRefused("Only the learner and the staff who follow them write here.")
    if evidence is not None and evidence.portfolio_id != portfolio.pk:
        raise ActionRefused("That evidence is not in this portfolio.")
    body = body.strip()
    if not body:
        raise ActionRefused("Write your message before sending it.")
    if len(body) > MESSAGE_MAX_LENGTH:
        raise ActionRefused(
            f"Keep a message under {MESSAGE_MAX_LENGTH:,} characters (it is {len(body):,})."
        )
    message = Message.objects.create(
        portfolio=portfolio, evidence=evidence, author=actor, body=body
    )
    if evidence is None:
        # The portfolio's own thread is for its participants alone, and the audit timeline
        # prints in the PDF anyone who sees the portfolio may download: record the message,
        # not its words (the message itself is append-only, so they stay).
        audit_record(
            actor=actor,
            action="message.portfolio",
            obj=message,
            portfolio=portfolio,
            changes={"after": {"characters": len(body)}},
        )
    else:
        audit_record(
            actor=actor,
            action="message.evidence",
            obj=message,
            portfolio=portfolio,
            changes={"after": {"evidence": f"E{evidence.number} {evidence.title}", "body": body}},
        )
    subject = f"“{evidence.title}”" if evidence else f"{portfolio.learner}’s portfolio"
    for person in thread_participants(portfolio, evidence):
        if person.pk != actor.pk:
            notify(
                recipient=person,
                message=f"{actor} wrote about {subject}: {_preview(body)}",
                link=thread_link(portfolio, evidence),
            )
    return message
