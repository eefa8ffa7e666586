"""The export task, run by Django's tasks framework (in-line in tests, by the worker otherwise)."""

from __future__ import annotations

from django.tasks import task

from exports.bounds import run_bounded
from exports.build import build_safely


@task(queue_name="exports")
def build_export(export_id: int) -> None:
    """Render a requested PDF portfolio in a bounded child process, reporting progress."""
    run_bounded(build_safely, export_id)
