"""The pace of an apprentice's off-the-job training: one pure function, and the only place
that decides what is expected by now and whether someone is behind.

Expected to date is the planned total times the share of the programme (start date to
planned end date) that has passed; the weekly pace is the planned total over the programme's
weeks. Only confirmed hours count towards the pace (logged hours are the apprentice's claim
until their employer contact or assessor confirms them), and an apprentice is behind when
their confirmed hours fall short of expected-to-date by more than BEHIND_TOLERANCE_WEEKS
weeks' worth of hours at the weekly pace.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

BEHIND_TOLERANCE_WEEKS = 2
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Pace:
    planned: Decimal
    logged: Decimal
    confirmed: Decimal
    expected: Decimal
    weekly: Decimal
    tolerance: Decimal

    @property
    def shortfall(self) -> Decimal:
        """Confirmed hours still to reach expected-to-date (zero when ahead)."""
        return max(Decimal(0), self.expected - self.confirmed)

    @property
    def behind(self) -> bool:
        return self.shortfall > self.tolerance

    @property
    def waiting(self) -> Decimal:
        return self.logged - self.confirmed

    @property
    def percent_confirmed(self) -> int:
        return min(100, round(100 * self.confirmed / self.planned)) if self.planned else 0


def hours_text(value: Decimal) -> str:
    """7.50 → "7.5", 8.00 → "8": hours as people write them."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _two_places(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def elapsed_fraction(start: datetime.date, end: datetime.date, today: datetime.date) -> Decimal:
    """Share of the programme passed, 0 to 1: nothing before the start, all of it at the end."""
    total = (end - start).days
    if total <= 0:
        return Decimal(1 if today >= start else 0)
    gone = min(max((today - start).days, 0), total)
    return Decimal(gone) / Decimal(total)


def pace(
    *,
    planned: int,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
    logged: Decimal,
    confirmed: Decimal,
) -> Pace:
    """Hours logged and confirmed against the plan, what is expected by `today`, the weekly
    pace and how far behind counts as behind."""
    planned_hours = Decimal(planned)
    weeks = max(Decimal(1), Decimal((end - start).days) / Decimal(7))
    weekly = _two_places(planned_hours / weeks)
    return Pace(
        planned=planned_hours,
        logged=logged,
        confirmed=confirmed,
        expected=_two_places(planned_hours * elapsed_fraction(start, end, today)),
        weekly=weekly,
        tolerance=weekly * BEHIND_TOLERANCE_WEEKS,
    )


def explanation() -> str:
    return (
        "Expected by now is the planned total spread evenly from the start date to the planned "
        "end date. Only confirmed hours count. An apprentice is behind when their confirmed "
        f"hours are more than {BEHIND_TOLERANCE_WEEKS} weeks’ worth of hours (at the weekly "
        "pace) short of what is expected by now."
    )
