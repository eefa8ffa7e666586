"""The heatmap's shades (static/css/site.css): readable numbers on every shade, darker as a
learner gets further on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

SITE_CSS = Path(settings.BASE_DIR) / "static" / "css" / "site.css"
SHADE = re.compile(
    r"\.heat-(?P<step>\d)\s*\{\s*--heat-bg:\s*(?P<bg>#[0-9a-f]{3,6});\s*"
    r"--heat-fg:\s*(?P<fg>#[0-9a-f]{3,6});\s*\}",
    re.IGNORECASE,
)


def luminance(colour: str) -> float:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted([luminance(first), luminance(second)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def shades() -> dict[int, tuple[str, str]]:
    found = SHADE.finditer(SITE_CSS.read_text(encoding="utf-8"))
    return {int(match["step"]): (match["bg"], match["fg"]) for match in found}


def test_contrast_is_measured_as_wcag_defines_it() -> None:
    assert contrast("#000", "#fff") == pytest.approx(21)
    assert contrast("#767676", "#fff") == pytest.approx(4.54, abs=0.01)


def test_there_is_a_shade_for_each_quarter() -> None:
    assert sorted(shades()) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("step", [0, 1, 2, 3, 4])
def test_the_numbers_on_every_shade_contrast_at_least_4_5_to_1(step: int) -> None:
    background, text = shades()[step]
    assert contrast(background, text) >= 4.5, f".heat-{step}: {text} on {background}"


def test_darker_means_further_on() -> None:
    found = shades()
    darkness = [luminance(found[step][0]) for step in sorted(found)]
    assert darkness == sorted(darkness, reverse=True) and len(set(darkness)) == len(darkness)


def test_the_shades_set_bootstraps_table_variables_so_its_cell_style_cannot_hide_them() -> None:
    css = SITE_CSS.read_text(encoding="utf-8")
    rule = css[css.index(".heatmap .heat,") : css.index("}", css.index(".heatmap .heat,"))]
    assert "--bs-table-bg: var(--heat-bg)" in rule
    assert "--bs-table-color: var(--heat-fg)" in rule
