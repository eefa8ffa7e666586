"""Benchmark: export a large portfolio to PDF, against headless Chromium printing the same HTML.

Builds the demo's large portfolio (`demo.large_portfolio`: a qualification of 15 units and 300
criteria, 150 evidence items, 200 photos of 4000×3000, 10 uploaded PDFs of 5 pages) in a
scratch SQLite database and media folder, exports it in a child process, then re-exports it
after one mapping's commentary changed. Prints pages, seconds, peak memory, PDF size and the
ratio of seconds to Chromium's, with PASS/MISS against the targets: peak memory under 1 GB, PDF
under 100 MB, cold export within 3× Chromium's time, re-export within 0.5× Chromium's cold
time.
Sizes are in MB of 1024² bytes. `manage.py seed_demo --large-portfolio` builds the same
portfolio in the local database, to look at the PDF itself.

    .venv/bin/python bench/pdf_export.py            # the full portfolio (several minutes)
    .venv/bin/python bench/pdf_export.py --small    # a quick smoke run
    .venv/bin/python bench/pdf_export.py --profile  # also cProfile each export (slower)

Exits 0 whatever the figures; non-zero only when the export or the benchmark itself fails.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from chromium_baseline import (
    chromium_document,
    find_chromium,
    print_renditions,
    print_with_chromium,
)
from pdf_report import print_breakdown, print_table

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, only bench/ is on the path; the project's packages live one level up.
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from demo.large_portfolio import PortfolioSize
    from exports.models import PortfolioExport
    from portfolio.models import Portfolio


# Setting up Django -------------------------------------------------------------------------------


def setup_django(var_dir: Path) -> None:
    os.environ["VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    # A scratch SQLite database and media folder inside VAR_DIR, whatever the shell says.
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("MEDIA_ROOT", None)
    # Without DATABASE_URL the settings only load in DEBUG mode.
    os.environ["DEBUG"] = "true"
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# The portfolio -----------------------------------------------------------------------------------


def build_portfolio(size: PortfolioSize) -> Portfolio:
    """The demo people and the large portfolio, as `seed_demo --large-portfolio` makes them."""
    from demo.large_portfolio import seed_large_portfolio
    from demo.people import seed_demo_people

    seed_demo_people()
    return seed_large_portfolio(size=size)


def change_one_mapping(portfolio: Portfolio) -> None:
    """What a learner does between exports: revise a draft or referred mapping's commentary."""
    from django.utils import timezone

    from portfolio.models import AuditEntry, Mapping, MappingStatus

    candidates = Mapping.objects.filter(
        evidence__portfolio=portfolio, status__in=[MappingStatus.DRAFT, MappingStatus.REFERRED]
    ).order_by("evidence__activity_date", "pk")
    mapping = candidates[candidates.count() // 2]
    revised = f"{mapping.commentary}\n\nRevised after feedback: I added what I checked first."
    Mapping.objects.filter(pk=mapping.pk).update(commentary=revised, updated_at=timezone.now())
    AuditEntry.objects.create(
        actor=portfolio.learner,
        action="mapping.update",
        portfolio=portfolio,
        object_type=Mapping._meta.label,
        object_id=str(mapping.pk),
        object_repr=str(mapping)[:300],
        changes={"before": {"commentary": mapping.commentary}, "after": {"commentary": revised}},
    )


# The export under test: the one place that names the modules of exports/ -----------------------


@dataclass(frozen=True)
class ExportCode:
    """The export code the benchmark times, wraps and reads."""

    # build(export) is timed; its assemble, stamp, finish and sign steps are wrapped.
    pipeline: ModuleType
    # gather(export) is wrapped.
    content: ModuleType
    # Not wrapped: named so that a move inside exports/ shows here.
    sections: ModuleType
    front: ModuleType
    # render_html is wrapped where the footer's code is rendered.
    stamp: ModuleType
    # render_batches is wrapped (each call: batches of sections, in one or more processes);
    # render_to_string is recorded, so Chromium prints the very HTML WeasyPrint rendered.
    render: ModuleType
    # The PDF stylesheet, which Chromium's document links to.
    stylesheet: Path


def export_code() -> ExportCode:
    """Imported here only, so a move inside exports/ changes one function of this script."""
    from exports import build as pipeline
    from exports.pdf import content, front, render, sections, stamp
    from exports.pdf.fetcher import STYLESHEET

    return ExportCode(
        pipeline=pipeline,
        content=content,
        sections=sections,
        front=front,
        stamp=stamp,
        render=render,
        stylesheet=STYLESHEET,
    )


def new_export(portfolio: Portfolio) -> PortfolioExport:
    """A whole-portfolio export asked for by the learner, not yet built."""
    from exports.models import ExportScope, PortfolioExport
    from exports.services import new_verification_code

    return PortfolioExport.objects.create(
        portfolio=portfolio,
        requested_by=portfolio.learner,
        scope=ExportScope.WHOLE,
        verification_code=new_verification_code(),
    )


def load_export(export_id: int) -> PortfolioExport:
    """The export with what build() reads of it, as the task loads it."""
    from exports.models import PortfolioExport

    return PortfolioExport.objects.select_related("portfolio", "requested_by", "unit").get(
        pk=export_id
    )


# The export, in a child process ------------------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak resident memory, in MB.

    Not ru_maxrss: a child that subprocess starts with vfork and exec inherits its parent's
    high-water mark there (RUSAGE_CHILDREN too), so it would report the data builder's memory.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _rss_mb(pid: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return 0.0


class FamilyMemory:
    """Samples the resident memory of this process and its render processes together, every
    0.1 s, and keeps the highest total: the export's memory when it renders in parallel."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def children(self) -> list[str]:
        found = []
        for task in Path("/proc/self/task").glob("*/children"):
            with contextlib.suppress(FileNotFoundError):
                found += task.read_text().split()
        return found

    def sample(self) -> None:
        while not self.stop.wait(0.1):
            total = _rss_mb("self") + sum(_rss_mb(pid) for pid in self.children())
            self.peak_mb = max(self.peak_mb, total)

    def __enter__(self) -> FamilyMemory:
        if Path("/proc/self/task").exists():
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()


class Instruments:
    """Counts and times the export's expensive calls, so a slow run says where time went."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds
        self.calls[name] = self.calls.get(name, 0) + 1

    def wrap(self, func: Callable[..., Any], name: Callable[..., str]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            result = func(*args, **kwargs)
            self.add(name(args, result), time.perf_counter() - start)
            return result

        return timed

    def install(self, code: ExportCode) -> None:
        code.content.gather = self.wrap(code.content.gather, lambda args, result: "gather")
        code.render.render_batches = self.wrap(
            code.render.render_batches,
            lambda args, result: (
                f"render {sum(map(len, args[0]))} sections in {len(args[0])} documents"
            ),
        )
        code.stamp.render_html = self.wrap(
            code.stamp.render_html, lambda args, result: "render the footer's code"
        )
        code.pipeline.assemble = self.wrap(
            code.pipeline.assemble, lambda args, result: "assemble (pikepdf)"
        )
        code.pipeline.stamp = self.wrap(
            code.pipeline.stamp, lambda args, result: "page furniture (overlay and drawing)"
        )
        code.pipeline.finish = self.wrap(
            code.pipeline.finish, lambda args, result: "finish and save (qpdf)"
        )
        code.pipeline.sign = self.wrap(code.pipeline.sign, lambda args, result: "sign (pyHanko)")


def record_section_html(code: ExportCode, captured: list[tuple[str, str]]) -> None:
    """Keep the HTML of every section WeasyPrint renders, for Chromium to print the same."""
    render = code.render
    original = render.render_to_string

    def recording(template: str, *args: Any, **kwargs: Any) -> str:
        html = original(template, *args, **kwargs)
        captured.append((template, html))
        return html

    render.render_to_string = recording


def run_export(export_id: int, profile_to: Path | None, html_to: Path | None) -> None:
    """The child process: build one export and print its figures as JSON."""
    code = export_code()
    instruments = Instruments()
    instruments.install(code)
    captured: list[tuple[str, str]] = []
    if html_to:
        record_section_html(code, captured)
    export = load_export(export_id)
    before_mb = peak_rss_mb()
    profiler = cProfile.Profile() if profile_to else None
    start = time.perf_counter()
    with FamilyMemory() as family:
        if profiler:
            profiler.runcall(code.pipeline.build, export)
        else:
            code.pipeline.build(export)
    seconds = time.perf_counter() - start
    # The export process's own high-water mark, or with its render processes if higher.
    peak_mb = max(peak_rss_mb(), family.peak_mb)
    if profiler and profile_to:
        profiler.dump_stats(profile_to)
    if html_to:
        html_to.write_text(json.dumps(captured), encoding="utf-8")
    export.refresh_from_db()
    if export.state != "done" or not export.pages or not export.file:
        raise SystemExit(f"Export {export_id} did not finish: state {export.state!r}")
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak_mb,
                "before_mb": before_mb,
                "pages": export.pages,
                "size": export.size,
                "timings": instruments.seconds,
                "calls": instruments.calls,
            }
        )
    )


@dataclass
class ExportRun:
    seconds: float
    wall: float
    peak_mb: float
    before_mb: float
    pages: int
    size: int
    timings: dict[str, float]
    calls: dict[str, int]


def export_in_child(export_id: int, profile_to: Path | None, html_to: Path | None) -> ExportRun:
    command = [sys.executable, str(Path(__file__).resolve()), "--export", str(export_id)]
    if profile_to:
        command += ["--profile-to", str(profile_to)]
    if html_to:
        command += ["--html-to", str(html_to)]
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.stdout.write(result.stdout)
        raise SystemExit(f"The export child failed with exit status {result.returncode}.")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return ExportRun(wall=wall, **figures)


def print_profile(path: Path, limit: int = 30) -> None:
    print(f"\ncProfile of {path.name}, by own time:")
    pstats.Stats(str(path)).sort_stats("tottime").print_stats(limit)
    print(f"cProfile of {path.name}, by cumulative time:")
    pstats.Stats(str(path)).sort_stats("cumulative").print_stats(limit)


# Main --------------------------------------------------------------------------------------------


def benchmark(size: PortfolioSize, var_dir: Path, profile: bool) -> None:
    from django.db import connections

    print(f"PDF export benchmark ({size.label}): {size.describe()}")
    print(f"Scratch folder {var_dir}")
    start = time.perf_counter()
    migrate()
    portfolio = build_portfolio(size)
    print(f"Built the portfolio in {time.perf_counter() - start:.1f} s (not part of the figures)")
    chromium_folder = var_dir / "chromium"
    chromium_folder.mkdir()
    captured_html = chromium_folder / "sections.json"
    cold_export = new_export(portfolio)
    connections.close_all()
    cold = export_in_child(
        cold_export.pk, var_dir / "cold.pstats" if profile else None, captured_html
    )
    print(f"Cold export: {cold.pages} pages in {cold.seconds:.1f} s")

    chromium_path = find_chromium()
    chromium = None
    if chromium_path is None:
        print("Chromium not found: ratio skipped")
    else:
        captured = json.loads(captured_html.read_text(encoding="utf-8"))
        images = print_renditions(portfolio)
        document = chromium_document(captured, images, export_code().stylesheet)
        chromium = print_with_chromium(chromium_path, document, chromium_folder)
        print(f"Chromium: {chromium.pages} pages in {chromium.seconds:.1f} s")

    change_one_mapping(portfolio)
    second_export = new_export(portfolio)
    connections.close_all()
    again = export_in_child(second_export.pk, var_dir / "again.pstats" if profile else None, None)
    print(f"Re-export: {again.pages} pages in {again.seconds:.1f} s")
    if again.pages != cold.pages:
        print(f"Note: the re-export has {again.pages} pages, the cold export {cold.pages}.")

    print_table(cold, again, chromium)
    print_breakdown("cold export", cold)
    print_breakdown("re-export", again)
    if profile:
        print("\n(cProfile was on: the seconds above are inflated by profiling.)")
        print_profile(var_dir / "cold.pstats")
        print_profile(var_dir / "again.pstats")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="a small portfolio, for a smoke run")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--profile", action="store_true", help="cProfile each export")
    parser.add_argument("--export", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--html-to", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.export is not None:
        # The child: the parent's environment already names the scratch VAR_DIR.
        setup_django(Path(os.environ["VAR_DIR"]))
        run_export(args.export, args.profile_to, args.html_to)
        return
    var_dir = Path(tempfile.mkdtemp(prefix="pdf-export-bench-"))
    try:
        setup_django(var_dir)
        from demo.large_portfolio import FULL, SMALL

        benchmark(SMALL if args.small else FULL, var_dir, args.profile)
    finally:
        if args.keep:
            print(f"\nKept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
