"""Witness testimony without an account: a request emailed as a single-use link, and the
statement the witness gives through it, which becomes evidence in the portfolio.

The link carries a long random secret; only its SHA-256 is stored, and a link is found by
that hash and compared again in constant time. Everything here is audited; the witness has
no account, so their steps are recorded without an actor, naming them in the changes.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import mailers
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.mail import mail_message, site_url
from accounts.models import Role, User
from accounts.notifications import notify
from portfolio.access import is_employer_of
from portfolio.audit import audit_record
from portfolio.errors import ActionRefused
from portfolio.models import (
    Evidence,
    EvidenceType,
    Portfolio,
    WitnessRequest,
    WitnessStatement,
)
from portfolio.units import portfolio_unit_ids
from qualifications.models import AssessmentCriterion

logger = logging.getLogger(__name__)

# The words the witness agrees to, stored exactly as shown with their typed name and the time.
WITNESS_DECLARATION = (
    "I confirm that this statement is a true account of what I saw the learner do, that I "
    "saw it myself, and that I am the person named in this request."
)

TOKEN_BYTES = 32


class LinkGone(Exception):
    """A witness link that exists but no longer works: .state says why (used, expired, revoked)."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


@dataclass(frozen=True)
class Witness:
    """Who the witness is, as the learner or assessor names them."""

    name: str
    job_title: str
    relationship: str
    email: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def can_request_witness(user: User, portfolio: Portfolio) -> bool:
    """The learner, for their own portfolio, or its assigned assessor asks for testimony."""
    if not user.is_authenticated:
        return False
    return portfolio.learner_id == user.pk or (
        portfolio.assessor_id == user.pk and user.has_role(Role.ASSESSOR)
    )


def _require_requester(actor: User, portfolio: Portfolio) -> None:
    if not can_request_witness(actor, portfolio):
        raise ActionRefused("Only the learner or their assessor can ask a witness for a statement.")


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def witness_link(token: str) -> str:
    path = reverse("portfolio:witness_statement", args=[token])
    return site_url(path)


def _expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.WITNESS_LINK_DAYS)


def _witness_changes(request: WitnessRequest) -> dict[str, object]:
    return {
        "witness": request.witness_name,
        "job_title": request.witness_job_title,
        "relationship": request.witness_relationship,
        "email": request.witness_email,
        "expires": request.expires_at.date().isoformat(),
    }


def _mail_on_commit(request: WitnessRequest, token: str) -> None:
    """Email the link once the request is committed; the secret goes only into the email."""
    request_id = request.pk

    def send() -> None:
        request = WitnessRequest.objects.select_related("portfolio__learner", "requested_by").get(
            pk=request_id
        )
        message = mail_message(
            template="portfolio/witness_request_email",
            subject=f"Would you give a witness statement for {request.portfolio.learner}?",
            to=[request.witness_email],
            context={
                "request": request,
                "link": witness_link(token),
                "days": settings.WITNESS_LINK_DAYS,
            },
        )
        mailers.default.send_messages([message])
        with transaction.atomic():
            WitnessRequest.objects.filter(pk=request_id).update(sent_at=timezone.now())
            audit_record(
                actor=None,
                action="witness.email_sent",
                obj=request,
                portfolio=request.portfolio,
                changes={"email": request.witness_email},
            )

    transaction.on_commit(send, robust=True)


def _check_criteria(portfolio: Portfolio, criteria: Iterable[AssessmentCriterion]) -> list:
    criteria = list(criteria)
    allowed = set(portfolio_unit_ids(portfolio))
    for criterion in criteria:
        if criterion.unit_id not in allowed:
            raise ActionRefused(
                f"Criterion {criterion.reference} is not in a unit of this portfolio; choose "
                "criteria from its own units."
            )
    return criteria


@transaction.atomic
def witness_request_create(
    *,
    actor: User,
    portfolio: Portfolio,
    witness: Witness,
    activity: str,
    criteria: Iterable[AssessmentCriterion] = (),
) -> tuple[WitnessRequest, str]:
    """Ask a witness for a statement; returns the request and the link's secret (mailed once
    the request is committed, and never stored)."""
    _require_requester(actor, portfolio)
    criteria = _check_criteria(portfolio, criteria)
    if not activity.strip():
        raise ActionRefused("Describe the activity the witness saw, so they know what to write.")
    token, hashed = _new_token()
    request = WitnessRequest.objects.create(
        portfolio=portfolio,
        requested_by=actor,
        witness_name=witness.name,
        witness_job_title=witness.job_title,
        witness_relationship=witness.relationship,
        witness_email=witness.email,
        activity=activity,
        token_hash=hashed,
        expires_at=_expiry(),
    )
    request.criteria.set(criteria)
    audit_record(
        actor=actor,
        action="witness.request",
        obj=request,
        portfolio=portfolio,
        changes={
            "after": {
                **_witness_changes(request),
                "activity": activity,
                "criteria": [c.reference for c in criteria],
            }
        },
    )
    _mail_on_commit(request, token)
    return request, token


def _lock_request(request: WitnessRequest) -> WitnessRequest:
    return (
        WitnessRequest.objects.select_for_update(of=("self",))
        .select_related("portfolio")
        .get(pk=request.pk)
    )


@transaction.atomic
def witness_request_revoke(*, actor: User, request: WitnessRequest) -> WitnessRequest:
    """Withdraw a link that has not been used: it then says so and shows nothing."""
    request = _lock_request(request)
    _require_requester(actor, request.portfolio)
    if request.used_at:
        raise ActionRefused(
            f"{request.witness_name} has already given their statement, so the request "
            "cannot be revoked."
        )
    if request.revoked_at:
        raise ActionRefused("This request has already been revoked.")
    request.revoked_at = timezone.now()
    request.revoked_by = actor
    request.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        action="witness.revoke",
        obj=request,
        portfolio=request.portfolio,
        changes={"witness": request.witness_name, "email": request.witness_email},
    )
    return request


@transaction.atomic
def witness_request_resend(*, actor: User, request: WitnessRequest) -> tuple[WitnessRequest, str]:
    """Send a fresh link for a request not yet answered: the old link stops working."""
    request = _lock_request(request)
    _require_requester(actor, request.portfolio)
    if request.used_at:
        raise ActionRefused(f"{request.witness_name} has already given their statement.")
    if request.revoked_at:
        raise ActionRefused("This request was revoked; ask the witness again with a new request.")
    token, hashed = _new_token()
    request.token_hash = hashed
    request.expires_at = _expiry()
    request.sent_at = None
    request.opened_at = None
    request.save(update_fields=["token_hash", "expires_at", "sent_at", "opened_at"])
    audit_record(
        actor=actor,
        action="witness.resend",
        obj=request,
        portfolio=request.portfolio,
        changes={
            "witness": request.witness_name,
            "email": request.witness_email,
            "expires": request.expires_at.date().isoformat(),
        },
    )
    _mail_on_commit(request, token)
    return request, token


def _find(token: str, *, lock: bool = False) -> WitnessRequest | None:
    """The request whose link this is, or None for anything unknown or malformed."""
    if not token or len(token) > 100:
        return None
    hashed = token_hash(token)
    queryset = WitnessRequest.objects.select_related("portfolio__learner", "portfolio__assessor")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    request = queryset.filter(token_hash=hashed).first()
    if request is None or not hmac.compare_digest(request.token_hash, hashed):
        return None
    return request


def witness_request_for_link(token: str) -> WitnessRequest | None:
    """The request behind a link that still works; LinkGone if it no longer does, None if no
    such link exists. The first opening is audited (later ones are not, to keep it readable)."""
    request = _find(token)
    if request is None:
        return None
    if request.state != "waiting":
        raise LinkGone(request.state)
    if request.opened_at is None:
        with transaction.atomic():
            opened = WitnessRequest.objects.filter(pk=request.pk, opened_at__isnull=True).update(
                opened_at=timezone.now()
            )
            if opened:
                audit_record(
                    actor=None,
                    action="witness.open",
                    obj=request,
                    portfolio=request.portfolio,
                    changes={"witness": request.witness_name},
                )
    return request


def _statement_write(
    *,
    portfolio: Portfolio,
    witness: Witness,
    observed: str,
    observed_on: datetime.date,
    activities: str,
    signed_name: str,
    declared: bool,
    request: WitnessRequest | None = None,
    author: User | None = None,
) -> WitnessStatement:
    """The one path by which a statement becomes evidence, whether a link brought it or the
    employer contact wrote it from their account: the same checks, rows, audit and notices."""
    if not declared or not signed_name.strip():
        raise ActionRefused("Tick the declaration and type your name to sign it.")
    if observed_on > timezone.localdate():
        raise ActionRefused("The date you saw the activity cannot be in the future.")
    if not observed.strip():
        raise ActionRefused("Describe what you saw the learner do.")
    now = timezone.now()
    evidence = Evidence.objects.create(
        portfolio=portfolio,
        type=EvidenceType.WITNESS_TESTIMONY,
        title=f"Witness statement from {witness.name}"[:200],
        activity_date=observed_on,
        description=observed,
        created_by=portfolio.learner,
    )
    statement = WitnessStatement.objects.create(
        evidence=evidence,
        request=request,
        author=author,
        witness_name=witness.name,
        witness_job_title=witness.job_title,
        witness_relationship=witness.relationship,
        witness_email=witness.email,
        activities=activities,
        declaration=WITNESS_DECLARATION,
        signed_name=signed_name.strip(),
        signed_at=now,
    )
    if request is not None:
        request.used_at = now
        request.save(update_fields=["used_at"])
    audit_record(
        actor=author,
        action="witness.submit",
        obj=evidence,
        portfolio=portfolio,
        changes={
            "after": {
                "witness": witness.name,
                "job_title": witness.job_title,
                "relationship": witness.relationship,
                "email": witness.email,
                "activity_date": observed_on.isoformat(),
                "description": observed,
                "activities": activities,
                "declaration": WITNESS_DECLARATION,
                "signed_name": statement.signed_name,
            }
        },
    )
    message = f"{witness.name} gave a witness statement for {portfolio.learner}."
    link = reverse("portfolio:evidence_detail", args=[evidence.pk])
    notify(
        recipient=portfolio.learner,
        message=f"{message} Map it to the criteria it meets.",
        link=link,
    )
    notify(recipient=portfolio.assessor, message=message, link=link)
    return statement


@transaction.atomic
def witness_statement_submit(
    *,
    token: str,
    observed: str,
    observed_on: datetime.date,
    activities: str,
    signed_name: str,
    declared: bool,
) -> WitnessStatement:
    """The witness's statement becomes evidence in the portfolio; the link is then used up."""
    request = _find(token, lock=True)
    if request is None:
        raise LinkGone("unknown")
    if request.state != "waiting":
        raise LinkGone(request.state)
    return _statement_write(
        portfolio=request.portfolio,
        witness=Witness(
            name=request.witness_name,
            job_title=request.witness_job_title,
            relationship=request.witness_relationship,
            email=request.witness_email,
        ),
        observed=observed,
        observed_on=observed_on,
        activities=activities,
        signed_name=signed_name,
        declared=declared,
        request=request,
    )


@transaction.atomic
def witness_statement_by_employer(
    *,
    actor: User,
    portfolio: Portfolio,
    job_title: str,
    relationship: str,
    observed: str,
    observed_on: datetime.date,
    activities: str,
    signed_name: str,
    declared: bool,
) -> WitnessStatement:
    """The apprentice's employer contact gives testimony from their own account, without a
    link: the same statement, declaration and evidence as a witness's by link."""
    portfolio = (
        Portfolio.objects.select_for_update(of=("self",))
        .select_related("learner", "assessor")
        .get(pk=portfolio.pk)
    )
    if not is_employer_of(actor, portfolio):
        raise ActionRefused(
            "Only the apprentice’s employer contact can give a statement from their account."
        )
    if not job_title.strip() or not relationship.strip():
        raise ActionRefused("Give your job title and your relationship to the apprentice.")
    return _statement_write(
        portfolio=portfolio,
        witness=Witness(
            name=actor.full_name,
            job_title=job_title.strip(),
            relationship=relationship.strip(),
            email=actor.email,
        ),
        observed=observed,
        observed_on=observed_on,
        activities=activities,
        signed_name=signed_name,
        declared=declared,
        author=actor,
    )
