"""Audit entries: the one way to write them, the actions they may record, and how people read them.

Each app registers the actions its services record (its `audit_actions.py`, imported by its
AppConfig.ready()); this module owns the registry and knows no app above portfolio.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.dateparse import parse_date
from django.utils.formats import date_format

from accounts.models import User
from portfolio.models import AuditEntry, Portfolio

Changes = Mapping[str, Any]
Details = Callable[[Changes], list[str]]
Show = Callable[[Any], str]


# How one recorded value reads ------------------------------------------------------------------


def label_for(key: str) -> str:
    """A stored key as a label, for keys no action has named."""
    return "SHA-256" if key == "sha256" else key.replace("_", " ").capitalize()


def plain(value: Any) -> str:
    """Any recorded value in words: lists joined, yes or no for flags, never a Python literal."""
    if value is None or value == "" or value == [] or value == {}:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return "; ".join(f"{label_for(str(key))}: {plain(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(plain(item) for item in value)
    return str(value)


def quoted(value: Any) -> str:
    """Text someone typed, in quotation marks so where it starts and ends shows."""
    return f"“{value}”" if value else "none"


def day(value: Any) -> str:
    """A stored ISO date as people write it: 3 May 2025."""
    parsed = parse_date(value) if isinstance(value, str) else value
    return date_format(parsed, "j M Y") if isinstance(parsed, datetime.date) else plain(value)


def choice(choices: type[models.Choices], *, lower: bool = False) -> Show:
    """A stored choice by its label, lower-cased where it sits inside a sentence."""
    labels = {str(value): str(label) for value, label in choices.choices}

    def show(value: Any) -> str:
        label = labels.get(str(value), plain(value))
        return label.lower() if lower else label

    return show


@dataclass(frozen=True)
class Field:
    """How one key of an entry's changes reads."""

    label: str
    show: Show = plain


def before_after(**fields: Field) -> Details:
    """Sentences for the usual shape of changes: {"before": {...}, "after": {...}, other: ...}.

    A key in both reads "Title: “Till audit” → “Till audit, May”"; a key on one side, or
    outside before and after, reads "Title: “Till audit”". Named keys come first, in the order
    given; the others follow, labelled from the key.
    """

    def field_for(key: str) -> Field:
        return fields.get(key) or Field(label_for(key))

    def details(changes: Changes) -> list[str]:
        if not isinstance(changes, Mapping):
            return [plain(changes)]
        sides = {
            side: changes[side]
            for side in ("before", "after")
            if isinstance(changes.get(side), Mapping)
        }
        before, after = sides.get("before", {}), sides.get("after", {})
        recorded = dict.fromkeys([*before, *after])
        named = [key for key in fields if key in recorded]
        lines: list[str] = []
        for key in [*named, *(key for key in recorded if key not in fields)]:
            field = field_for(key)
            if key in before and key in after:
                lines.append(f"{field.label}: {field.show(before[key])} → {field.show(after[key])}")
            else:
                lines.append(f"{field.label}: {field.show(after.get(key, before.get(key)))}")
        for key, value in changes.items():
            field = field_for(key)
            # Outside before/after, an empty value means "does not apply": say nothing.
            if key not in sides and value is not None:
                lines.append(f"{field.label}: {field.show(value)}")
        return lines

    return details


field_by_field = before_after()


# The registry ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditAction:
    """One kind of audit entry: its stored code, how it reads, and whether it changes content.

    Asking for a PDF is recorded but changes nothing in the portfolio, so it does not make the
    last PDF out of date.
    """

    code: str
    text: str
    changes_content: bool = True
    details: Details = field_by_field
    # Who acted, read from the changes, for someone without an account (a witness).
    by: Callable[[Changes], str | None] | None = None


_ACTIONS: dict[str, AuditAction] = {}


def register(*actions: AuditAction) -> None:
    """Add actions to the registry; a code registered twice is a mistake, not an override."""
    for action in actions:
        if _ACTIONS.setdefault(action.code, action) is not action:
            raise ValueError(f"The audit action {action.code!r} is registered twice.")


def audit_action(code: str) -> AuditAction:
    """The registered action for a code, so a mistyped code fails loudly, not silently."""
    try:
        return _ACTIONS[code]
    except KeyError:
        raise ValueError(
            f"{code!r} is not a registered audit action: register it in its app's audit_actions.py."
        ) from None


def registered_actions() -> list[AuditAction]:
    """Every registered action, by code: for checks that each is recorded and reads well."""
    return [_ACTIONS[code] for code in sorted(_ACTIONS)]


def content_changing_codes() -> list[str]:
    """The codes of every action that changes what a portfolio holds."""
    return sorted(code for code, action in _ACTIONS.items() if action.changes_content)


# Writing ---------------------------------------------------------------------------------------


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    portfolio: Portfolio | None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one entry; called by the services and nothing else."""
    audit_action(action)  # refuses a code nobody registered, before anything is written
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        portfolio=portfolio,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        changes=changes or {},
    )


def audit_record_many(
    *,
    actor: User | None,
    action: str,
    entries: Iterable[tuple[models.Model, Portfolio | None, dict[str, Any]]],
) -> list[AuditEntry]:
    """Write many entries of one action in one query, as audit_record writes one: for a change
    made in bulk (an intake's optional units), each entry about its own (object, portfolio)."""
    audit_action(action)
    return AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=actor,
            action=action,
            portfolio=portfolio,
            object_type=obj._meta.label,
            object_id=str(obj.pk),
            object_repr=str(obj)[:300],
            changes=changes or {},
        )
        for obj, portfolio, changes in entries
    )


# Reading ---------------------------------------------------------------------------------------

# An entry whose code is no longer registered still reads as something a person understands.
UNKNOWN_ACTION = "Made a change"
SHA256 = re.compile(r"\b([0-9a-f]{4})[0-9a-f]{56}([0-9a-f]{4})\b")


@dataclass(frozen=True)
class AuditLine:
    """One audit entry as a person reads it: when, who, what happened to what, and the details."""

    when: datetime.datetime
    who: str
    what: str
    subject: str
    details: list[str]


def short_hashes(text: str) -> str:
    """SHA-256 values as their first and last four characters: enough to compare by eye."""
    return SHA256.sub(r"\1…\2", text)


def describe(entry: AuditEntry, *, full: bool = False) -> AuditLine:
    """An entry in sentences; `full` keeps long hashes whole, for downloads."""
    action = _ACTIONS.get(entry.action)
    changes = entry.changes or {}
    try:
        details = (action.details if action else field_by_field)(changes)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        # An entry written before its action's sentences learnt a new shape still reads.
        details = field_by_field(changes)
    who = str(entry.actor) if entry.actor else None
    if who is None and action and action.by:
        try:
            who = action.by(changes)
        except (KeyError, TypeError, AttributeError):
            who = None
    return AuditLine(
        when=entry.at,
        who=who or "System",
        what=action.text if action else UNKNOWN_ACTION,
        subject=entry.object_repr,
        details=details if full else [short_hashes(line) for line in details],
    )
