"""A task the worker test enqueues: it leaves a file behind, so the test can see it ran."""

from __future__ import annotations

from pathlib import Path

from django.tasks import task


@task
def leave_mark(path: str) -> None:
    """Write the marker file the test waits for."""
    Path(path).write_text("done")
