"""Off-the-job training hours: the apprentice logs a day's training, their employer contact or
assessor confirms it (then it is fixed) or queries it with a reason, and the apprentice
corrects a queried or unconfirmed entry and sends it again.

Every change locks the portfolio row first, so two entries for the same day written at once
are checked one after the other and can never add up to more than 24 hours.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.notifications import notify
from portfolio.access import can_confirm_hours, can_edit
from portfolio.audit import audit_record
from portfolio.errors import ActionRefused
from portfolio.hours import hours_text
from portfolio.models import Evidence, OffTheJobEntry, OffTheJobStatus, Portfolio

HOURS_IN_A_DAY = Decimal(24)


class HoursRefused(ActionRefused):
    """A refused entry, naming the form field the problem is in when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _lock_portfolio(portfolio: Portfolio) -> Portfolio:
    return (
        Portfolio.objects.select_for_update(of=("self",))
        .select_related("learner", "employer", "assessor")
        .get(pk=portfolio.pk)
    )


def _lock_entry(entry: OffTheJobEntry) -> tuple[OffTheJobEntry, Portfolio]:
    """The portfolio first, then the entry: the same order as logging, so no deadlock."""
    portfolio = _lock_portfolio(entry.portfolio)
    entry = (
        OffTheJobEntry.objects.select_for_update(of=("self",))
        .select_related("evidence")
        .get(pk=entry.pk)
    )
    entry.portfolio = portfolio
    return entry, portfolio


def _day(value: datetime.date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def _check(
    *,
    portfolio: Portfolio,
    date: datetime.date,
    hours: Decimal,
    activity: str,
    evidence: Evidence | None,
    replacing: OffTheJobEntry | None = None,
) -> None:
    """Every rule for one day's entry; the portfolio row is locked by the caller."""
    if not portfolio.is_apprenticeship:
        raise HoursRefused("Off-the-job hours are logged only on an apprenticeship portfolio.")
    if not hours.is_finite() or hours <= 0:
        raise HoursRefused("Enter the hours as a number more than 0, such as 1.5.", field="hours")
    if hours != hours.quantize(Decimal("0.01")):
        raise HoursRefused(
            "Enter the hours to at most two decimal places, such as 7.25.", field="hours"
        )
    if hours > HOURS_IN_A_DAY:
        raise HoursRefused("A day has 24 hours: enter no more than 24 for one day.", field="hours")
    if date > timezone.localdate():
        raise HoursRefused(
            "The date cannot be in the future: log training once you have done it.", field="date"
        )
    if date < portfolio.start_date:
        raise HoursRefused(
            f"The date is before the apprenticeship started on {_day(portfolio.start_date)}.",
            field="date",
        )
    if not activity.strip():
        raise HoursRefused("Say what you did, so your employer can confirm it.", field="activity")
    if evidence is not None and evidence.portfolio_id != portfolio.pk:
        raise HoursRefused("Link evidence from this portfolio only.", field="evidence")
    others = portfolio.off_the_job_entries.filter(date=date)
    if replacing is not None:
        others = others.exclude(pk=replacing.pk)
    already = others.aggregate(total=Sum("hours"))["total"] or Decimal(0)
    if already + hours > HOURS_IN_A_DAY:
        raise HoursRefused(
            f"You have already logged {hours_text(already)} hours on {_day(date)}, so that would "
            f"make {hours_text(already + hours)}: no day has more than 24. Enter at most "
            f"{hours_text(HOURS_IN_A_DAY - already)}.",
            field="hours",
        )


def _entry_changes(entry: OffTheJobEntry) -> dict[str, object]:
    return {
        "date": entry.date.isoformat(),
        "hours": hours_text(entry.hours),
        "activity": entry.activity,
        "evidence": entry.evidence.title if entry.evidence else None,
    }


def _hours_link(portfolio: Portfolio) -> str:
    return reverse("portfolio:hours_list", args=[portfolio.pk])


def _tell_confirmers(portfolio: Portfolio, message: str) -> None:
    """The employer contact confirms hours day to day; the assessor when there is none."""
    notify(
        recipient=portfolio.employer or portfolio.assessor,
        message=message,
        link=_hours_link(portfolio),
    )


@transaction.atomic
def hours_log(
    *,
    actor: User,
    portfolio: Portfolio,
    date: datetime.date,
    hours: Decimal,
    activity: str,
    evidence: Evidence | None = None,
) -> OffTheJobEntry:
    """The apprentice logs a day's off-the-job training, for confirming."""
    portfolio = _lock_portfolio(portfolio)
    if not can_edit(actor, portfolio):
        raise ActionRefused("Only the apprentice logs their own off-the-job hours.")
    _check(portfolio=portfolio, date=date, hours=hours, activity=activity, evidence=evidence)
    entry = OffTheJobEntry.objects.create(
        portfolio=portfolio,
        date=date,
        hours=hours,
        activity=activity.strip(),
        evidence=evidence,
        logged_by=actor,
    )
    audit_record(
        actor=actor,
        action="hours.log",
        obj=entry,
        portfolio=portfolio,
        changes={"after": _entry_changes(entry)},
    )
    _tell_confirmers(
        portfolio,
        f"{portfolio.learner} logged {hours_text(hours)} off-the-job hours on {_day(date)}.",
    )
    return entry


@transaction.atomic
def hours_correct(
    *,
    actor: User,
    entry: OffTheJobEntry,
    date: datetime.date,
    hours: Decimal,
    activity: str,
    evidence: Evidence | None = None,
) -> OffTheJobEntry:
    """The apprentice corrects an entry not yet confirmed; a queried one goes back to wait."""
    entry, portfolio = _lock_entry(entry)
    if not can_edit(actor, portfolio):
        raise ActionRefused("Only the apprentice changes their own off-the-job hours.")
    if entry.is_confirmed:
        raise ActionRefused("These hours have been confirmed, so they can no longer change.")
    _check(
        portfolio=portfolio,
        date=date,
        hours=hours,
        activity=activity,
        evidence=evidence,
        replacing=entry,
    )
    before = _entry_changes(entry)
    entry.date, entry.hours, entry.evidence = date, hours, evidence
    entry.activity = activity.strip()
    entry.status = OffTheJobStatus.LOGGED
    entry.logged_at = timezone.now()
    entry.save(update_fields=["date", "hours", "activity", "evidence", "status", "logged_at"])
    audit_record(
        actor=actor,
        action="hours.correct",
        obj=entry,
        portfolio=portfolio,
        changes={"before": before, "after": _entry_changes(entry)},
    )
    _tell_confirmers(
        portfolio,
        f"{portfolio.learner} corrected their off-the-job hours for {_day(entry.date)}.",
    )
    return entry


def _require_confirmer(actor: User, entry: OffTheJobEntry) -> None:
    if not can_confirm_hours(actor, entry.portfolio):
        raise ActionRefused(
            "Only the apprentice’s employer contact or assessor confirms off-the-job hours."
        )
    if entry.is_confirmed:
        raise ActionRefused(
            f"{entry.confirmed_by} already confirmed these hours, so they are fixed."
        )


@transaction.atomic
def hours_confirm(*, actor: User, entry: OffTheJobEntry) -> OffTheJobEntry:
    """The employer contact or assessor confirms the hours; from then on they are fixed."""
    entry, portfolio = _lock_entry(entry)
    _require_confirmer(actor, entry)
    if entry.status == OffTheJobStatus.QUERIED:
        raise ActionRefused(
            "These hours were queried: wait for the apprentice to correct them and send them again."
        )
    entry.status = OffTheJobStatus.CONFIRMED
    entry.confirmed_by = actor
    entry.confirmed_at = timezone.now()
    entry.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    audit_record(
        actor=actor,
        action="hours.confirm",
        obj=entry,
        portfolio=portfolio,
        changes={"date": entry.date.isoformat(), "hours": hours_text(entry.hours)},
    )
    return entry


@transaction.atomic
def hours_query(*, actor: User, entry: OffTheJobEntry, reason: str) -> OffTheJobEntry:
    """Send the entry back to the apprentice with a reason, to correct and send again."""
    entry, portfolio = _lock_entry(entry)
    _require_confirmer(actor, entry)
    if not reason.strip():
        raise ActionRefused("Say what is wrong with the entry, so the apprentice can correct it.")
    entry.status = OffTheJobStatus.QUERIED
    entry.queried_by = actor
    entry.queried_at = timezone.now()
    entry.query_reason = reason.strip()
    entry.save(update_fields=["status", "queried_by", "queried_at", "query_reason"])
    audit_record(
        actor=actor,
        action="hours.query",
        obj=entry,
        portfolio=portfolio,
        changes={
            "date": entry.date.isoformat(),
            "hours": hours_text(entry.hours),
            "reason": entry.query_reason,
        },
    )
    notify(
        recipient=portfolio.learner,
        message=f"{actor} queried your off-the-job hours for {_day(entry.date)}.",
        link=_hours_link(portfolio),
    )
    return entry
