"""What changed in a resubmitted mapping since the assessor referred it: the commentary word
by word, and the evidence's files added and removed, read from what the referral kept."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from assessment.models import Decision, Outcome
from portfolio.models import EvidenceFile, Mapping, MappingStatus

# Words and the spaces between them, so the diff marks whole words and keeps line breaks.
TOKENS = re.compile(r"\s+|\S+")


@dataclass(frozen=True)
class Stretch:
    """A run of the commentary that is the same, added or removed since the referral."""

    kind: str  # "same", "added" or "removed"
    text: str


@dataclass(frozen=True)
class SinceReferral:
    """A resubmission beside the referral it answers."""

    referral: Decision
    commentary_before: str
    stretches: list[Stretch]
    files_added: list[EvidenceFile]
    files_removed: list[str]

    @property
    def commentary_changed(self) -> bool:
        return any(stretch.kind != "same" for stretch in self.stretches)

    @property
    def files_changed(self) -> bool:
        return bool(self.files_added or self.files_removed)


def word_diff(before: str, after: str) -> list[Stretch]:
    """The two texts as stretches of unchanged, removed and added words, in reading order."""
    old, new = TOKENS.findall(before), TOKENS.findall(after)
    stretches: list[Stretch] = []

    def add(kind: str, tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if stretches and stretches[-1].kind == kind:
            stretches[-1] = Stretch(kind, stretches[-1].text + text)
        else:
            stretches.append(Stretch(kind, text))

    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            add("same", old[i1:i2])
        else:
            add("removed", old[i1:i2])
            add("added", new[j1:j2])
    return stretches


def since_referral(mapping: Mapping, files: Iterable[EvidenceFile]) -> SinceReferral | None:
    """For a mapping resubmitted after a referral, what changed since; None otherwise, or when
    the referral predates keeping what was referred. Reads the prefetched decisions."""
    if mapping.status != MappingStatus.SUBMITTED:
        return None
    latest = mapping.latest_decision
    if latest is None or latest.outcome != Outcome.REFERRED or latest.files_seen is None:
        return None
    files = list(files)
    seen_ids = {entry["id"] for entry in latest.files_seen}
    current_ids = {f.pk for f in files}
    return SinceReferral(
        referral=latest,
        commentary_before=latest.commentary_seen,
        stretches=word_diff(latest.commentary_seen, mapping.commentary),
        files_added=[f for f in files if f.pk not in seen_ids],
        files_removed=[e["name"] for e in latest.files_seen if e["id"] not in current_ids],
    )


def since_referrals(
    mappings: Iterable[Mapping], files: Iterable[EvidenceFile]
) -> dict[int, SinceReferral]:
    """since_referral for each mapping that has one, by mapping id."""
    files = list(files)
    found = {m.pk: since_referral(m, files) for m in mappings}
    return {pk: changes for pk, changes in found.items() if changes is not None}
