"""The export task, run by Django's tasks framework (in-line in tests, by the worker otherwise)."""

from __future__ import annotations

from django.tasks import task

from exports.build import build_safely


@task
def build_export(export_id: int) -> None:
    """Render a requested PDF portfolio, reporting progress as each section is done."""
    build_safely(export_id)
