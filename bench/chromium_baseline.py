"""Chromium's side of bench/pdf_export.py: the same sections' HTML, printed by headless Chromium,
as the baseline the PDF export is measured against in the same run."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portfolio.models import Portfolio

CHROMIUM = "/usr/bin/chromium"


def find_chromium() -> str | None:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    return shutil.which("chromium")


def print_renditions(portfolio: Portfolio) -> dict[int, str]:
    from portfolio.models import EvidenceFile, FileKind

    files = EvidenceFile.objects.filter(evidence__portfolio=portfolio, kind=FileKind.IMAGE)
    return {row.pk: Path(row.print_rendition.path).as_uri() for row in files}


def chromium_document(
    captured: list[tuple[str, str]], images: dict[int, str], stylesheet: Path
) -> str:
    """The cold export's sections as one document, each starting a page as in the PDF.

    The front matter's five parts are rendered after the body (the contents and the index
    need the body's page numbers, and are rendered again until their length settles); the
    last rendering of each goes first here, in document order. The page-furniture overlays
    are left out: Chromium draws its own header and footer.
    """
    last: dict[str, str] = {}
    rest = []
    for template, text in captured:
        name = template.rsplit("/", 1)[-1]
        if name.startswith("front_"):
            last[name] = text
        elif name != "page_furniture.html":
            rest.append(text)
    order = ["front_cover.html", "front_contents.html", "front_summary.html"]
    order += ["front_index.html", "front_matrix.html"]
    if set(last) != set(order) or not rest:
        raise SystemExit("The export rendered no front matter or no sections: nothing to print.")
    sections = [last[name] for name in order] + rest
    bodies = [re.search(r"<body[^>]*>(.*)</body>", text, re.DOTALL).group(1) for text in sections]
    styles = dict.fromkeys(
        style for text in sections for style in re.findall(r"<style>.*?</style>", text, re.DOTALL)
    )
    joined = "\n".join(
        f'<div class="section-start">{body}</div>' if index else body
        for index, body in enumerate(bodies)
    )
    joined = re.sub(r"export:image/(\d+)", lambda match: images[int(match.group(1))], joined)
    title = re.search(r"<title>(.*?)</title>", sections[0], re.DOTALL)
    header = html.unescape(title.group(1)) if title else ""
    quoted = header.replace("\\", "\\\\").replace('"', '\\"')
    # The export stamps a header and "Page n of m" on every page; Chromium draws the same.
    furniture = (
        f'@page {{ @top-center {{ content: "{quoted}"; font-size: 8pt; }}'
        ' @bottom-center { content: "Page " counter(page) " of " counter(pages);'
        " font-size: 8pt; } }"
    )
    return (
        '<!doctype html>\n<html lang="en-GB">\n<head><meta charset="utf-8">'
        f"<title>{html.escape(header)}</title>"
        f'<link rel="stylesheet" href="{stylesheet.as_uri()}">{"".join(styles)}'
        f"<style>{furniture}</style></head>\n"
        f"<body>{joined}</body>\n</html>\n"
    )


@dataclass
class ChromiumRun:
    seconds: float
    pages: int
    size: int


def print_with_chromium(chromium: str, document: str, folder: Path) -> ChromiumRun:
    from pypdf import PdfReader

    page = folder / "portfolio.html"
    page.write_text(document, encoding="utf-8")
    output = folder / "portfolio.pdf"
    command = [
        chromium,
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={folder / 'profile'}",
        "--no-pdf-header-footer",
        f"--print-to-pdf={output}",
        page.as_uri(),
    ]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False)
    seconds = time.perf_counter() - start
    if result.returncode != 0 or not output.exists():
        sys.stderr.write(result.stderr[-4000:])
        raise SystemExit(f"Chromium failed to print the portfolio (exit {result.returncode}).")
    return ChromiumRun(seconds, len(PdfReader(output).pages), output.stat().st_size)
