"""How much accepted evidence rests on each criterion, asked of the apps that record it.

The catalogue sits below the portfolio in the layers, so it cannot query mappings itself.
The portfolio app registers a counter here when it starts; the loader asks it before
letting a specification reword a criterion that evidence has already been accepted against.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

AcceptedCounter = Callable[[Iterable[int]], dict[int, int]]
_counters: list[AcceptedCounter] = []


def register_accepted_counter(counter: AcceptedCounter) -> None:
    if counter not in _counters:
        _counters.append(counter)


def accepted_evidence(criterion_ids: Iterable[int]) -> dict[int, int]:
    """Accepted mappings per criterion id, summed over every registered counter."""
    ids = list(criterion_ids)
    totals: dict[int, int] = {}
    for counter in _counters:
        for criterion_id, count in counter(ids).items():
            totals[criterion_id] = totals.get(criterion_id, 0) + count
    return totals
