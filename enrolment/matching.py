"""Finding what a typed name means: a cohort name or qualification reference as people type
it into a spreadsheet, forgiving dashes, case and spacing, and a suggestion for a near miss.

"Retail 2026 – Sept" (an en dash, as a word processor makes it), "retail 2026-sept" and
"Retail  2026 - Sept" all name the cohort "Retail 2026 - Sept". What matches no name exactly
or by key may still be close to one; `NameIndex.find` then says which ("did you mean …").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus sign.
_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2015\u2212-]")
# How alike (difflib's ratio, 0 to 1) a near miss must be to be suggested.
CLOSE_ENOUGH = 0.75


def match_key(text: str) -> str:
    """The text as it is matched: every dash a hyphen, case folded, and no spaces at all."""
    return "".join(_DASHES.sub("-", text).casefold().split())


@dataclass(frozen=True)
class Found[T]:
    """What a typed name names: one thing, or nothing and the names it may have meant (several
    when the name matches more than one by key, else those close to it)."""

    item: T | None
    ambiguous: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()


class NameIndex[T]:
    """Things by name, found as `match_key` matches; an exact name always wins."""

    def __init__(self, items: Iterable[T], name: Callable[[T], str]) -> None:
        self._exact: dict[str, T] = {}
        self._by_key: dict[str, list[T]] = {}
        self._name = name
        for item in items:
            self._exact.setdefault(name(item), item)
            self._by_key.setdefault(match_key(name(item)), []).append(item)

    def find(self, text: str) -> Found[T]:
        if text in self._exact:
            return Found(self._exact[text])
        key = match_key(text)
        matches = self._by_key.get(key, [])
        if len(matches) == 1:
            return Found(matches[0])
        if matches:
            return Found(None, ambiguous=tuple(sorted(self._name(item) for item in matches)))
        close = difflib.get_close_matches(key, self._by_key, n=3, cutoff=CLOSE_ENOUGH)
        return Found(
            None, suggestions=tuple(self._name(item) for k in close for item in self._by_key[k])
        )


def did_you_mean(found: Found) -> str:
    """The sentence to add to "there is no …" when a near miss can be named, else nothing."""
    if not found.suggestions:
        return ""
    return " Did you mean " + " or ".join(f"“{name}”" for name in found.suggestions) + "?"


def could_be(found: Found) -> str:
    """The names a typed name matches equally, as a list to quote."""
    return " and ".join(f"“{name}”" for name in found.ambiguous)
