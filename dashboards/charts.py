"""A server-rendered SVG line chart: accessible, printable, no script and no inline style."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 36, 16, 40


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: str
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    left: int
    bottom: float
    right: float
    empty: bool


def _nice_ceiling(value: int) -> int:
    for step in (4, 8, 20, 40, 100, 200, 400, 1000, 2000, 4000, 10000):
        if value <= step:
            return step
    return ((value // 10000) + 1) * 10000


def line_chart(weeks: list[tuple[datetime.date, int]]) -> Chart:
    top_value = _nice_ceiling(max((count for _, count in weeks), default=0) or 1)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    count = max(len(weeks) - 1, 1)

    def x(index: int) -> float:
        return round(LEFT + plot_width * index / count, 1)

    def y(value: int) -> float:
        return round(TOP + plot_height * (1 - value / top_value), 1)

    points = " ".join(f"{x(i)},{y(v)}" for i, (_, v) in enumerate(weeks))
    label_every = max(1, len(weeks) // 8)
    x_ticks = [
        (x(i), week.strftime("%-d %b"))
        for i, (week, _) in enumerate(weeks)
        if i % label_every == 0 or i == len(weeks) - 1
    ]
    y_ticks = [(y(top_value * n // 4), top_value * n // 4) for n in range(5)]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        left=LEFT,
        bottom=y(0),
        right=WIDTH - RIGHT,
        empty=not weeks,
    )
