"""Text people type, made safe to show: no characters that silently reorder what follows.

The one home for the rule: every app's forms take free text through `FreeTextField`, and
anything else that takes text from people (the CSV intake, file names) calls
`without_bidi_controls`.
"""

from __future__ import annotations

from typing import Any

from django import forms

# Embeddings, overrides (U+202A–U+202E) and isolates (U+2066–U+2069): an unclosed one reverses
# or reorders everything after it on the page and in the PDF, so "\u202eexe.jpg" reads as
# "gpj.exe". The directional marks (U+200E, U+200F, U+061C) are kept: they only nudge
# neighbouring punctuation, and people writing Arabic or Hebrew beside English use them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
BIDI_MARKS = frozenset("\u200e\u200f\u061c")

_REMOVE_CONTROLS = dict.fromkeys(map(ord, BIDI_CONTROLS))


def without_bidi_controls(text: str) -> str:
    """The text with every embedding, override and isolate removed."""
    return text.translate(_REMOVE_CONTROLS)


class FreeTextField(forms.CharField):
    """A CharField for anything a person writes that others will read."""

    def to_python(self, value: Any) -> str:
        # Removed before CharField strips and counts, so what is stored is what was checked.
        if isinstance(value, str):
            value = without_bidi_controls(value)
        return super().to_python(value)
