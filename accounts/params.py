"""Ids and search words read from a request's query string or form, so a hostile value is a
miss, not a 500."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet

# Primary keys are 64-bit signed integers in every database this app runs on.
LARGEST_ID = 2**63 - 1


def id_or_none(value: str | None) -> int | None:
    """The id written in `value`, or None unless it is ASCII digits naming a possible row."""
    if value is None or len(value) > len(str(LARGEST_ID)):
        return None
    if not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 1 <= number <= LARGEST_ID else None


def ids(values: Iterable[str]) -> list[int]:
    """The ids among `values`, in order, leaving out anything that is not one."""
    return [number for number in map(id_or_none, values) if number is not None]


def search_words(value: str | None, *, max_length: int = 100) -> str:
    """What to search for: trimmed, bounded, and without NUL characters, which PostgreSQL
    refuses in any text it is given."""
    return (value or "").replace("\x00", "").strip()[:max_length]


class ModelIdsChoiceField(forms.ModelMultipleChoiceField):
    """Several rows chosen by id; Django's own field lets an id beyond the 64-bit range reach
    the database in an `__in` lookup, which fails there instead of refusing the choice."""

    def _check_values(self, value: Any) -> QuerySet:
        for pk in value if isinstance(value, list | tuple) else ():
            if id_or_none(str(pk)) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)
