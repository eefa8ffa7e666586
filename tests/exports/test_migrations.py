"""Moving PortfolioExport from portfolio to exports keeps every row and its content type, and
tasks still waiting in the queue (exports, invitations) follow their code to its new home."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("portfolio", "0002_portfolio_exports"), ("exports", None), ("enrolment", None)]

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(targets: list[tuple[str, str | None]]):
    """Migrate to the targets; return the models as they are there (every other app at its
    latest migration)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    named = {app: name for app, name in targets}
    nodes = [(app, named.get(app, name)) for app, name in executor.loader.graph.leaf_nodes()]
    return executor.loader.project_state([(app, name) for app, name in nodes if name]).apps


@pytest.fixture
def before_the_move() -> Iterator:
    """The database as the previous release left it; migrated fully forward afterwards."""
    yield migrate(BEFORE)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_a_database_from_before_the_layers_keeps_its_exports_content_type_and_queued_tasks(
    before_the_move,
) -> None:
    old = before_the_move
    centre = old.get_model("accounts", "Centre").objects.create(name="Northgate Training")
    learner = old.get_model("accounts", "User").objects.create(
        email="amy@northgate.test", full_name="Amy Archer", centre=centre
    )
    body = old.get_model("qualifications", "AwardingBody").objects.create(code="OCR", name="OCR")
    qualification = old.get_model("qualifications", "Qualification").objects.create(
        reference="OCR-TEST", awarding_body=body, title="Test certificate", level=3
    )
    portfolio = old.get_model("portfolio", "Portfolio").objects.create(
        learner=learner,
        centre=centre,
        qualification=qualification,
        start_date=datetime.date(2025, 9, 1),
        planned_end_date=datetime.date(2026, 8, 31),
    )
    old_export = old.get_model("portfolio", "PortfolioExport").objects.create(
        portfolio=portfolio,
        requested_by=learner,
        verification_code="ABCD-EFGH-JKMN",
        state="done",
        pages=16,
        sha256="4af2" * 16,
        finished_at=timezone.now(),
    )
    content_type = old.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="portfolio", model="portfolioexport"
    )[0]
    queued = old.get_model("django_tasks_database", "DBTaskResult").objects.create(
        task_path="portfolio.tasks.build_export",
        args_kwargs={"args": [old_export.pk], "kwargs": {}},
        queue_name="default",
        backend_name="default",
        priority=0,
        status="READY",
        run_after=timezone.now(),
    )

    invitation = old.get_model("django_tasks_database", "DBTaskResult").objects.create(
        task_path="cohorts.enrolment.send_invitations",
        args_kwargs={"args": [[learner.pk]], "kwargs": {}},
        queue_name="default",
        backend_name="default",
        priority=0,
        status="READY",
        run_after=timezone.now(),
    )

    new = migrate(
        [
            ("exports", "0002_queued_export_tasks_follow_the_move"),
            ("enrolment", "0001_queued_invitations_follow_the_move"),
        ]
    )

    export = new.get_model("exports", "PortfolioExport").objects.get()
    assert (export.pk, export.verification_code, export.state, export.pages) == (
        old_export.pk,
        "ABCD-EFGH-JKMN",
        "done",
        16,
    )
    assert export.portfolio_id == portfolio.pk
    moved = new.get_model("contenttypes", "ContentType").objects.get(pk=content_type.pk)
    assert (moved.app_label, moved.model) == ("exports", "portfolioexport")
    task = new.get_model("django_tasks_database", "DBTaskResult").objects.get(pk=queued.pk)
    assert task.task_path == "exports.tasks.build_export"
    mail = new.get_model("django_tasks_database", "DBTaskResult").objects.get(pk=invitation.pk)
    assert mail.task_path == "enrolment.tasks.send_invitations"
