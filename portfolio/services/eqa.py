"""External quality assurance: a centre administrator grants an external quality assurer
time-boxed, read-only access to a sample of portfolios; the assurer signs in by an emailed
link and a one-time code, as a guest account that holds only the EQA role.

The link carries a long random secret and the code six digits; only a SHA-256 of the secret
and a keyed hash of the code are stored. A code lasts CODE_MINUTES and allows CODE_ATTEMPTS
tries; after that a new one is needed. A grant ends at its expiry or when revoked: the
middleware asks for an active grant on every request, so nothing needs to run in the
background.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.mail import mailers
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.mail import mail_message, site_url
from accounts.models import Membership, Role, User
from portfolio.audit import audit_record
from portfolio.errors import ActionRefused
from portfolio.models import EqaGrant, EqaPageView, Portfolio, UnitChoice
from qualifications.models import QualificationUnit, Unit

TOKEN_BYTES = 32
MAX_DAYS = 90
CODE_MINUTES = 10
CODE_ATTEMPTS = 5
# A new code is not sent more often than this, so the link cannot be used to flood a mailbox.
CODE_RESEND_SECONDS = 60


class LinkGone(Exception):
    """A link that is unknown, expired or revoked: every case shows the same plain page."""


@dataclass(frozen=True)
class Assurer:
    """Who the external quality assurer is, as the administrator names them."""

    full_name: str
    email: str
    organisation: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def code_hash(grant: EqaGrant, code: str) -> str:
    """Keyed with the site's secret and the grant, so a copied database cannot test codes."""
    return salted_hmac("portfolio.eqa.code", f"{grant.pk}:{code}", algorithm="sha256").hexdigest()


def can_grant_eqa_access(user: User) -> bool:
    return user.is_authenticated and user.centre_id is not None and user.has_role(Role.CENTRE_ADMIN)


def _require_admin(actor: User, centre_id: int | None = None) -> None:
    if not can_grant_eqa_access(actor) or (centre_id and actor.centre_id != centre_id):
        raise ActionRefused(
            "Only the centre's administrators grant external quality assurers access."
        )


def eqa_link(token: str) -> str:
    path = reverse("portfolio:eqa_link", args=[token])
    return site_url(path)


def end_of(day: datetime.date) -> datetime.datetime:
    """Access "until 5 March" lasts to the end of that day where the centre is."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def sample_portfolios(
    centre_id: int, portfolios: Iterable[Portfolio], units: Iterable[Unit]
) -> list[Portfolio]:
    """The chosen portfolios, and every portfolio at the centre that works towards a chosen
    unit (mandatory in its qualification, or optional and chosen for it)."""
    unit_ids = [unit.pk for unit in units]
    chosen = {portfolio.pk for portfolio in portfolios}
    by_unit = Q(
        qualification_id__in=QualificationUnit.objects.filter(
            unit_id__in=unit_ids, mandatory=True
        ).values("qualification_id")
    ) | Q(pk__in=UnitChoice.objects.filter(unit_id__in=unit_ids).values("portfolio_id"))
    rule = Q(pk__in=chosen) | by_unit if unit_ids else Q(pk__in=chosen)
    return list(
        Portfolio.objects.filter(rule, centre_id=centre_id)
        .select_related("learner", "qualification")
        .order_by("learner__full_name", "qualification__reference")
    )


def _guest_account(*, centre_id: int, assurer: Assurer) -> User:
    """The assurer's guest account at the centre: reused by email, or made with no password."""
    email = User.objects.normalize_email(assurer.email).lower()
    existing = User.objects.select_for_update().filter(email__iexact=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=email,
                    password=None,
                    full_name=assurer.full_name.strip(),
                    centre_id=centre_id,
                )
        except IntegrityError:
            # Another grant made the account at the same moment: nothing was written here.
            raise ActionRefused(
                f"An account for {email} was made at the same moment. Try again."
            ) from None
        Membership.objects.create(user=user, role=Role.EQA)
        return user
    if existing.centre_id != centre_id or existing.roles != {Role.EQA}:
        raise ActionRefused(
            f"{email} already belongs to an account that is not an external quality assurer's "
            "guest account here. Use the assurer's own work address for their access."
        )
    if EqaGrant.objects.active().filter(assurer=existing).exists():
        raise ActionRefused(
            f"{existing} already has access. Revoke it first, or wait until it ends, before "
            "granting a new sample."
        )
    return existing


def _grant_changes(grant: EqaGrant, portfolios: list[Portfolio], units: list[Unit]) -> dict:
    return {
        "assurer": str(grant.assurer),
        "email": grant.assurer.email,
        "organisation": grant.organisation,
        "expires": grant.last_day.isoformat(),
        "portfolios": [f"{p.learner} on {p.qualification.reference}" for p in portfolios],
        "units": [unit.reference for unit in units],
    }


def _mail_link_on_commit(grant: EqaGrant, token: str) -> None:
    grant_id = grant.pk

    def send() -> None:
        grant = EqaGrant.objects.select_related("assurer", "centre").get(pk=grant_id)
        message = mail_message(
            template="portfolio/eqa_link_email",
            subject=f"Read-only access to portfolios at {grant.centre}",
            to=[grant.assurer.email],
            context={"grant": grant, "link": eqa_link(token)},
        )
        mailers.default.send_messages([message])

    transaction.on_commit(send, robust=True)


@transaction.atomic
def eqa_grant_create(
    *,
    actor: User,
    assurer: Assurer,
    expires_on: datetime.date,
    portfolios: Iterable[Portfolio] = (),
    units: Iterable[Unit] = (),
) -> tuple[EqaGrant, str]:
    """Open a sample to an external quality assurer until the end of `expires_on`; returns the
    grant and its link's secret (mailed once the grant is committed, never stored)."""
    _require_admin(actor)
    portfolios, units = list(portfolios), list(units)
    today = timezone.localdate()
    if expires_on < today:
        raise ActionRefused("The access cannot end in the past; choose today or a later date.")
    if expires_on > today + datetime.timedelta(days=MAX_DAYS):
        raise ActionRefused(f"Access can last at most {MAX_DAYS} days; choose an earlier date.")
    if any(portfolio.centre_id != actor.centre_id for portfolio in portfolios):
        raise ActionRefused("Choose portfolios at your own centre.")
    sample = sample_portfolios(actor.centre_id, portfolios, units)
    if not sample:
        raise ActionRefused(
            "The sample is empty: choose at least one learner's portfolio, or a unit that "
            "learners at the centre take."
        )
    if not assurer.full_name.strip() or not assurer.organisation.strip():
        raise ActionRefused("Give the assurer's name and the organisation they assure for.")
    user = _guest_account(centre_id=actor.centre_id, assurer=assurer)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    grant = EqaGrant.objects.create(
        centre_id=actor.centre_id,
        assurer=user,
        organisation=assurer.organisation.strip(),
        granted_by=actor,
        expires_at=end_of(expires_on),
        token_hash=token_hash(token),
    )
    grant.portfolios.set(sample)
    grant.units.set(units)
    audit_record(
        actor=actor,
        action="eqa.grant",
        obj=grant,
        portfolio=None,
        changes={"after": _grant_changes(grant, sample, units)},
    )
    _mail_link_on_commit(grant, token)
    return grant, token


@transaction.atomic
def eqa_grant_revoke(*, actor: User, grant: EqaGrant) -> EqaGrant:
    """End the access at once: the assurer's next request finds no active grant."""
    grant = (
        EqaGrant.objects.select_for_update(of=("self",)).select_related("assurer").get(pk=grant.pk)
    )
    _require_admin(actor, grant.centre_id)
    if grant.state != "active":
        ended = "been revoked" if grant.state == "revoked" else "expired"
        raise ActionRefused(f"This access has already {ended}.")
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.code_hash = ""
    grant.save(update_fields=["revoked_at", "revoked_by", "code_hash"])
    audit_record(
        actor=actor,
        action="eqa.revoke",
        obj=grant,
        portfolio=None,
        changes={"assurer": str(grant.assurer), "email": grant.assurer.email},
    )
    return grant


def _find(token: str, *, lock: bool = False) -> EqaGrant:
    """The active grant behind a link; LinkGone for anything unknown, malformed or ended."""
    if not token or len(token) > 100:
        raise LinkGone
    hashed = token_hash(token)
    queryset = EqaGrant.objects.select_related("assurer", "centre")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    grant = queryset.filter(token_hash=hashed).first()
    if grant is None or not hmac.compare_digest(grant.token_hash, hashed):
        raise LinkGone
    if grant.state != "active":
        raise LinkGone
    return grant


def eqa_grant_for_link(token: str) -> EqaGrant:
    return _find(token)


@transaction.atomic
def eqa_code_send(*, token: str) -> EqaGrant:
    """Email a new one-time code to the assurer; any earlier code stops working."""
    grant = _find(token, lock=True)
    now = timezone.now()
    if grant.code_sent_at and now - grant.code_sent_at < datetime.timedelta(
        seconds=CODE_RESEND_SECONDS
    ):
        raise ActionRefused(
            "We sent you a code less than a minute ago. Check your email (and its junk "
            "folder), or ask for another in a minute."
        )
    code = f"{secrets.randbelow(10**6):06d}"
    grant.code_hash = code_hash(grant, code)
    grant.code_sent_at = now
    grant.code_expires_at = now + datetime.timedelta(minutes=CODE_MINUTES)
    grant.code_attempts = 0
    grant.save(update_fields=["code_hash", "code_sent_at", "code_expires_at", "code_attempts"])
    audit_record(
        actor=grant.assurer,
        action="eqa.code_sent",
        obj=grant,
        portfolio=None,
        changes={"email": grant.assurer.email},
    )
    message = mail_message(
        template="portfolio/eqa_code_email",
        subject=f"Your sign-in code: {code}",
        to=[grant.assurer.email],
        context={"grant": grant, "code": code, "minutes": CODE_MINUTES},
    )
    transaction.on_commit(lambda: mailers.default.send_messages([message]), robust=True)
    return grant


def eqa_code_check(*, token: str, code: str) -> EqaGrant:
    """The grant, for the assurer to be signed in, when the code is right; ActionRefused saying
    what to do otherwise. A wrong try is counted even though the check refuses."""
    with transaction.atomic():
        grant = _find(token, lock=True)
        refusal = _code_refusal(grant, code.strip())
        if refusal is None:
            grant.code_hash = ""
            grant.code_attempts = 0
            grant.save(update_fields=["code_hash", "code_attempts"])
            audit_record(
                actor=grant.assurer,
                action="eqa.sign_in",
                obj=grant,
                portfolio=None,
                changes={"email": grant.assurer.email},
            )
    if refusal:
        raise ActionRefused(refusal)
    return grant


def _code_refusal(grant: EqaGrant, code: str) -> str | None:
    """Why the code does not sign in (counting a wrong try), or None when it does."""
    if not grant.code_hash or grant.code_expires_at is None:
        return "There is no code waiting for this link. Ask for a new code."
    if grant.code_expires_at <= timezone.now():
        return "That code has expired. Ask for a new code."
    if grant.code_attempts >= CODE_ATTEMPTS:
        return "Too many wrong codes. Ask for a new code."
    if not (len(code) == 6 and code.isascii() and code.isdigit()) or not hmac.compare_digest(
        grant.code_hash, code_hash(grant, code)
    ):
        grant.code_attempts += 1
        left = CODE_ATTEMPTS - grant.code_attempts
        if left <= 0:
            grant.code_hash = ""
        grant.save(update_fields=["code_attempts", "code_hash"])
        if left <= 0:
            return "That code is not right, and it was the last try. Ask for a new code."
        return f"That code is not right. You have {left} more {'try' if left == 1 else 'tries'}."
    return None


def active_grant_for(user: User) -> EqaGrant | None:
    """The grant a guest account is signed in under, or None once it has ended."""
    return EqaGrant.objects.active().filter(assurer=user).order_by("expires_at").last()


def eqa_page_view_record(*, grant: EqaGrant, path: str, status: int) -> EqaPageView:
    """Log one page the assurer opened; the log is itself the record, so it is not audited."""
    return EqaPageView.objects.create(grant=grant, path=path[:500], status=status)
