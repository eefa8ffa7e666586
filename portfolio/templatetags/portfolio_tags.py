from __future__ import annotations

from decimal import Decimal

from django import template

from accounts.models import User
from portfolio.access import can_read_messages
from portfolio.hours import hours_text
from portfolio.models import Portfolio

register = template.Library()

# Colour backs up the words; it never carries the status alone.
BADGE_CLASSES = {
    "not_started": "text-bg-light border",
    "draft": "text-bg-secondary",
    "submitted": "text-bg-primary",
    "referred": "text-bg-warning",
    "accepted": "text-bg-success",
    "met": "text-bg-success",
}


@register.inclusion_tag("portfolio/_status_badge.html")
def status_badge(status: str, label: str) -> dict[str, str]:
    return {"label": label, "css": BADGE_CLASSES.get(status, "text-bg-light border")}


@register.filter
def filesize(size: int | None) -> str:
    """Sizes as people read them: 512 bytes, 34 KB, 2.4 MB."""
    if size is None:
        return "–"
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key)


@register.filter
def hours(value: Decimal | None) -> str:
    """Hours as people write them: 7.5, 8, 0.25."""
    return "" if value is None else hours_text(Decimal(value))


@register.filter
def messages_readable_by(portfolio: Portfolio, user: User) -> bool:
    """Whether the person reads the portfolio's messages (the header shows its tab then)."""
    return can_read_messages(user, portfolio)


@register.filter
def part_in(person: User, portfolio: Portfolio) -> str:
    """What someone who wrote a message is to the portfolio, where the portfolio says it."""
    parts = [
        (portfolio.learner_id, "learner"),
        (portfolio.assessor_id, "assessor"),
        (portfolio.tutor_id, "tutor"),
        (portfolio.iqa_id, "IQA"),
    ]
    return next((part for person_id, part in parts if person_id == person.pk), "")
