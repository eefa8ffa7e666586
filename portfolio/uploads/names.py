"""The learner's filename, kept only to show back to people, made safe to show."""

from __future__ import annotations

import re
import unicodedata

from accounts.text import BIDI_CONTROLS, BIDI_MARKS

DISPLAY_NAME_MAX = 200

# Bidirectional formatting characters let "photo\u202egpj.exe" display as "photoexe.jpg"; a
# file name has no use even for the directional marks that free text keeps.
_BIDI_CONTROLS = BIDI_CONTROLS | BIDI_MARKS
# Control characters, lone surrogates (unstorable as UTF-8) and line/paragraph separators.
_UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def clean_display_name(name: str) -> str:
    """The learner's filename made safe to show: no path, no invisible or reordering tricks."""
    name = re.split(r"[/\\]", name)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(
        char
        for char in name
        if char not in _BIDI_CONTROLS and unicodedata.category(char) not in _UNPRINTABLE_CATEGORIES
    )
    name = _strip_edges(name)
    if len(name) > DISPLAY_NAME_MAX:
        stem, dot, suffix = name.rpartition(".")
        if stem and dot and len(suffix) <= 16:
            name = _strip_edges(stem[: DISPLAY_NAME_MAX - len(suffix) - 1]) + "." + suffix
        else:
            name = _strip_edges(name[:DISPLAY_NAME_MAX])
    return name or "file"


def _strip_edges(name: str) -> str:
    """Leading dots hide files and trailing dots or spaces confuse Windows."""
    return re.sub(r"^[\s.]+|[\s.]+$", "", name)
