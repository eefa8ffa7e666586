"""One person cannot tie up the workers: few unfinished PDFs at a time, renditions on their own
queue, and each export bounded in time and memory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings

from accounts.models import User
from accounts.workers import ResilientWorker
from exports import services as export_services
from exports.bounds import ExportStopped, run_bounded
from exports.models import ExportScope, ExportState, PortfolioExport
from exports.tasks import build_export
from portfolio.errors import ActionRefused
from portfolio.models import Portfolio
from portfolio.tasks import make_file_renditions


def request_export(actor: User, portfolio: Portfolio) -> PortfolioExport:
    """Ask for a PDF without building it (the test's transaction never commits)."""
    return export_services.export_request(actor=actor, portfolio=portfolio, scope=ExportScope.WHOLE)


@override_settings(EXPORT_MAX_UNFINISHED_PER_PORTFOLIO=1)
def test_a_second_pdf_of_a_portfolio_waits_until_the_first_is_finished(
    amy_portfolio: Portfolio, asha: User, amy: User
) -> None:
    first = request_export(asha, amy_portfolio)

    with pytest.raises(ActionRefused, match="already being made; wait for it to finish"):
        request_export(amy, amy_portfolio)
    assert PortfolioExport.objects.count() == 1

    PortfolioExport.objects.filter(pk=first.pk).update(state=ExportState.FAILED)
    request_export(amy, amy_portfolio)
    assert PortfolioExport.objects.count() == 2


@override_settings(EXPORT_MAX_UNFINISHED_PER_PORTFOLIO=5, EXPORT_MAX_UNFINISHED_PER_PERSON=2)
def test_one_person_may_have_only_a_few_pdfs_being_made_at_once(
    amy_portfolio: Portfolio, ben_portfolio: Portfolio, asha: User, amy: User
) -> None:
    request_export(asha, amy_portfolio)
    running = request_export(asha, ben_portfolio)
    PortfolioExport.objects.filter(pk=running.pk).update(state=ExportState.RUNNING)

    with pytest.raises(ActionRefused, match="You already have 2 PDFs being made"):
        request_export(asha, amy_portfolio)
    # Someone else may still ask for one.
    request_export(amy, amy_portfolio)
    assert PortfolioExport.objects.filter(requested_by=asha).count() == 2


DATABASE_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "renditions", "exports"],
    }
}


@pytest.fixture
def database_tasks() -> Iterator[None]:
    with override_settings(TASKS=DATABASE_TASKS):
        yield


@pytest.mark.usefixtures("database_tasks")
def test_a_renditions_worker_never_takes_an_export(amy_portfolio: Portfolio, asha: User) -> None:
    export = PortfolioExport.objects.create(
        portfolio=amy_portfolio, requested_by=asha, verification_code="TEST-CODE-0001"
    )
    build_export.enqueue(export.pk)
    make_file_renditions.enqueue(1)
    worker = ResilientWorker(
        queue_names=["renditions", "default"],
        excluded_queue_names=[],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="renditions-test",
    )

    claimed = worker.claim_next()

    assert claimed is not None and claimed.task_path.endswith("make_file_renditions")
    assert worker.claim_next() is None


def _export(portfolio: Portfolio, by: User) -> PortfolioExport:
    return PortfolioExport.objects.create(
        portfolio=portfolio,
        requested_by=by,
        verification_code=export_services.new_verification_code(),
    )


@pytest.mark.django_db(transaction=True)
@override_settings(EXPORT_MAX_SECONDS=0.05, EXPORT_IN_CHILD_PROCESS=True)
def test_an_export_that_runs_too_long_is_stopped_and_marked_failed(
    amy_portfolio: Portfolio, asha: User
) -> None:
    export = _export(amy_portfolio, asha)

    with pytest.raises(ExportStopped):
        build_export.call(export.pk)

    export.refresh_from_db()
    assert export.state == ExportState.FAILED
    assert "took longer than" in export.error
    assert export.stage == "Failed"


def greedy_build(export_id: int) -> None:
    """A build that keeps asking for memory: up to 1 GB, far past any limit the test sets."""
    hoard = [bytearray(64 * 1024 * 1024) for _ in range(16)]
    raise AssertionError(f"allocated {len(hoard)} blocks without being stopped")


@pytest.mark.django_db(transaction=True)
@override_settings(EXPORT_MAX_MEMORY_MB=64, EXPORT_IN_CHILD_PROCESS=True)
def test_an_export_that_needs_too_much_memory_is_stopped_and_marked_failed(
    amy_portfolio: Portfolio, asha: User
) -> None:
    export = _export(amy_portfolio, asha)

    with pytest.raises(ExportStopped):
        run_bounded(greedy_build, export.pk)

    export.refresh_from_db()
    assert export.state == ExportState.FAILED
    assert "more memory than the 64 MB allowed" in export.error
