"""Running one export in a child process with a time and a memory limit, so a huge portfolio
cannot hold the export worker for ever, nor keep its memory once done."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import resource
from collections.abc import Callable

from django.conf import settings
from django.db import connection, connections

from exports.models import ExportState, PortfolioExport

logger = logging.getLogger(__name__)

# How the child tells the parent it ran out of the memory it was allowed.
EXIT_OUT_OF_MEMORY = 3
STOP_GRACE_SECONDS = 5


class ExportStopped(Exception):
    """An export was stopped for running too long or needing too much memory."""


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:g} seconds"
    return f"{round(seconds / 60)} minutes"


def _address_space_bytes() -> int | None:
    """This process's virtual memory size, which RLIMIT_AS bounds; None where /proc is absent."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def _give_back_free_memory() -> None:
    """Return the free heap inherited from the worker, so the limit counts only what the export
    itself allocates (glibc only; elsewhere the limit is looser by that much)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def _run_in_child(build: Callable[[int], None], export_id: int, memory_mb: int) -> None:
    """Child process: cap its memory above what it inherited, build, and say how it ended."""
    _give_back_free_memory()
    inherited = _address_space_bytes()
    if inherited is not None:
        limit = inherited + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    try:
        build(export_id)
    except MemoryError:
        os._exit(EXIT_OUT_OF_MEMORY)
    except BaseException:
        os._exit(1)  # the build has marked the export failed and logged why
    os._exit(0)  # no interpreter teardown: nothing inherited is flushed or closed twice


def _mark_failed(export_id: int, error: str) -> None:
    PortfolioExport.objects.filter(
        pk=export_id, state__in=[ExportState.QUEUED, ExportState.RUNNING]
    ).update(state=ExportState.FAILED, stage="Failed", error=error)


def run_bounded(build: Callable[[int], None], export_id: int) -> None:
    """Build the export in a child process, stopping it at EXPORT_MAX_SECONDS or when it
    needs more than EXPORT_MAX_MEMORY_MB; then mark it failed with a message people can act on.
    """
    if not settings.EXPORT_IN_CHILD_PROCESS or connection.in_atomic_block:
        # In-line (tests, or a caller's transaction the child could not see): no bounds.
        build(export_id)
        return
    max_seconds, memory_mb = settings.EXPORT_MAX_SECONDS, settings.EXPORT_MAX_MEMORY_MB
    # The child opens its own connections; sharing these across a fork would corrupt them.
    connections.close_all()
    child = multiprocessing.get_context("fork").Process(
        target=_run_in_child, args=(build, export_id, memory_mb), daemon=True
    )
    child.start()
    child.join(max_seconds)
    if child.is_alive():
        child.terminate()
        child.join(STOP_GRACE_SECONDS)
        if child.is_alive():
            child.kill()
            child.join()
        error = (
            f"The PDF took longer than {_duration(max_seconds)} to make, so it was stopped. "
            "Try a PDF of one unit or of accepted evidence only, or ask your administrator."
        )
        logger.warning("Export %s stopped after %s s", export_id, max_seconds)
        _mark_failed(export_id, error)
        raise ExportStopped(f"Export {export_id} took longer than {max_seconds} s")
    if child.exitcode == 0:
        return
    if child.exitcode == EXIT_OUT_OF_MEMORY or (child.exitcode or 0) < 0:
        # Death by a signal is most often the allocator failing under the limit.
        error = (
            f"The PDF needed more memory than the {memory_mb} MB allowed (or stopped "
            "unexpectedly). Try a PDF of one unit, or ask your administrator."
        )
        logger.warning("Export %s stopped for memory (exit code %s)", export_id, child.exitcode)
        _mark_failed(export_id, error)
        raise ExportStopped(f"Export {export_id} stopped (exit code {child.exitcode})")
    _mark_failed(
        export_id,
        "The PDF could not be made. Try again; if it fails again, tell your administrator.",
    )
    raise ExportStopped(f"Export {export_id} failed in its process (exit code {child.exitcode})")
