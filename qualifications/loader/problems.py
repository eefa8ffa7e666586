"""What can be wrong with a catalogue file, said with its file, line and path."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qualifications.spec import CatalogueFileSpec

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class CatalogueProblem:
    file: str
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.location}: {self.message}"


class CatalogueInvalid(Exception):
    def __init__(self, problems: Sequence[CatalogueProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the qualification fixtures")
        self.problems = list(problems)


@dataclass
class ParsedFile:
    path: str
    spec: CatalogueFileSpec
    lines: dict[Location, int]

    def where(self, loc: Location) -> str:
        return describe(loc, self.lines)


def describe(loc: Location, lines: dict[Location, int]) -> str:
    path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
    line = None
    for size in range(len(loc), -1, -1):
        line = lines.get(tuple(loc[:size]))
        if line is not None:
            break
    prefix = f"line {line}" if line is not None else "file"
    return f"{prefix}, {path}" if path else prefix
