"""The figures bench/pdf_export.py prints: a table against the targets, and where time went."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chromium_baseline import ChromiumRun
    from pdf_export import ExportRun

MB = 1024 * 1024
PEAK_MEMORY_TARGET_MB = 1024
PDF_SIZE_TARGET_MB = 100
COLD_RATIO_TARGET = 3.0
REEXPORT_RATIO_TARGET = 0.5


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_table(cold: ExportRun, again: ExportRun, chromium: ChromiumRun | None) -> None:
    rows: list[tuple[str, str, str, str]] = [
        ("pages", f"{cold.pages}", "", ""),
        ("export seconds (cold)", f"{cold.seconds:.1f}", "", ""),
        ("  child process wall-clock", f"{cold.wall:.1f}", "", ""),
        (
            "peak memory MB (cold)",
            f"{cold.peak_mb:.0f}",
            f"< {PEAK_MEMORY_TARGET_MB}",
            verdict(cold.peak_mb < PEAK_MEMORY_TARGET_MB),
        ),
        ("  of which before build()", f"{cold.before_mb:.0f}", "", ""),
        (
            "PDF MB",
            f"{cold.size / MB:.1f}",
            f"< {PDF_SIZE_TARGET_MB}",
            verdict(cold.size / MB < PDF_SIZE_TARGET_MB),
        ),
    ]
    if chromium:
        cold_ratio = cold.seconds / chromium.seconds
        again_ratio = again.seconds / chromium.seconds
        rows += [
            ("Chromium seconds", f"{chromium.seconds:.1f}", "", ""),
            ("  Chromium pages / PDF MB", f"{chromium.pages} / {chromium.size / MB:.1f}", "", ""),
            (
                "ratio cold / Chromium",
                f"{cold_ratio:.2f}",
                f"≤ {COLD_RATIO_TARGET:g}",
                verdict(cold_ratio <= COLD_RATIO_TARGET),
            ),
        ]
    rows += [
        ("re-export seconds", f"{again.seconds:.1f}", "", ""),
        ("  child process wall-clock", f"{again.wall:.1f}", "", ""),
        (
            "peak memory MB (re-export)",
            f"{again.peak_mb:.0f}",
            f"< {PEAK_MEMORY_TARGET_MB}",
            verdict(again.peak_mb < PEAK_MEMORY_TARGET_MB),
        ),
    ]
    if chromium:
        rows.append(
            (
                "ratio re-export / Chromium cold",
                f"{again_ratio:.2f}",
                f"≤ {REEXPORT_RATIO_TARGET:g}",
                verdict(again_ratio <= REEXPORT_RATIO_TARGET),
            )
        )
    print(f"\n{'measure':<34}{'value':>12}  {'target':<8}  result")
    for name, value, target, result in rows:
        print(f"{name:<34}{value:>12}  {target:<8}  {result}".rstrip())


def print_breakdown(label: str, run: ExportRun) -> None:
    print(f"\nWhere the {label}'s {run.seconds:.1f} s went:")
    for name, seconds in sorted(run.timings.items(), key=lambda item: -item[1]):
        print(f"  {seconds:7.1f} s  {run.calls[name]:4d}×  {name}")
    rest = run.seconds - sum(run.timings.values())
    print(f"  {rest:7.1f} s         everything else (page counting, appending, saving, queries)")
