"""The task worker: django-tasks-db's worker, made to outlast database errors and beat a heartbeat.

django-tasks-db's own loop lets an error from opening its transaction escape (SQLite's
"database is locked" after a long write elsewhere), which ends the loop while the process
lives on. This loop catches database errors anywhere in a turn, closes the connection, backs
off and carries on, and records each worker's last beat in `WorkerHeartbeat`.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import time
from datetime import timedelta
from typing import Any

from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
)
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from accounts.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Errors that say "the database is unreachable or busy for now", worth waiting out.
DATABASE_ERRORS = (OperationalError, InterfaceError)
# How often a worker writes its heartbeat, and after how long without one it counts as silent.
BEAT_EVERY = timedelta(seconds=5)
SILENT_AFTER = timedelta(seconds=60)
# Heartbeats of workers gone this long are dropped when a worker starts.
FORGET_AFTER = timedelta(days=7)
FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 30.0


def backoff_seconds(failures: int, *, cap: float = MAX_BACKOFF_SECONDS) -> float:
    """Wait twice as long after each failure in a row, up to the cap."""
    return min(cap, FIRST_BACKOFF_SECONDS * 2 ** max(failures - 1, 0))


class ResilientWorker(Worker):
    """Takes tasks from the database queues, surviving database errors, with a heartbeat."""

    def __init__(self, *, max_backoff: float = MAX_BACKOFF_SECONDS, **options: Any) -> None:
        super().__init__(**options)
        self.max_backoff = max_backoff
        self.failures = 0
        self.last_beat_at: float | None = None
        self.last_error = ""

    def run(self) -> None:
        """Loop until stopped: beat, claim one task, run it; wait out database errors."""
        logger.info(
            "Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names)
        )
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 - spreads workers' start, not security
        self._forget_departed()
        while self.running:
            try:
                close_old_connections()
                self.beat()
                task_result = self.claim_next()
                if task_result is not None:
                    # Records its own outcome, retrying; an error that outlasts that lands here.
                    self.run_task(task_result)
                    self.last_beat_at = None  # count it in the heartbeat at once
            except DATABASE_ERRORS as error:
                self.recover(error)
                continue
            self.failures = 0
            if self.batch and task_result is None:
                logger.info("No more tasks for worker_id=%s; exiting.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info(
                    "Ran %d tasks on worker_id=%s; exiting.", self._run_tasks, self.worker_id
                )
                return
            if self.running and task_result is None:
                time.sleep(self.interval)

    def claim_next(self) -> DBTaskResult | None:
        """Claim the next due task on this worker's queues, or None when there is none."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        return task_result

    def beat(self) -> None:
        """Record that this worker is alive and taking tasks, at most once every BEAT_EVERY."""
        now = time.monotonic()
        if self.last_beat_at is not None and now - self.last_beat_at < BEAT_EVERY.total_seconds():
            return
        fields: dict[str, Any] = {
            "queues": ",".join(self.queue_names),
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "last_beat": timezone.now(),
            "tasks_run": self._run_tasks,
        }
        if self.last_error:
            fields.update(last_error=self.last_error, last_error_at=timezone.now())
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults=fields,
            create_defaults={**fields, "started_at": timezone.now()},
        )
        self.last_beat_at = now
        self.last_error = ""

    def recover(self, error: DatabaseError) -> None:
        """Drop the broken connection and wait, longer after each failure in a row."""
        self.failures += 1
        delay = backoff_seconds(self.failures, cap=self.max_backoff)
        logger.warning(
            "Worker %s hit a database error (%s); trying again in %.1f s.",
            self.worker_id,
            error,
            delay,
        )
        self.last_error = str(error)[:500]
        self.last_beat_at = None  # beat as soon as the database answers again
        for connection in connections.all(initialized_only=True):
            try:
                connection.close()
            except DATABASE_ERRORS:
                logger.debug("Closing connection %s failed", connection.alias, exc_info=True)
        if self.running:
            time.sleep(delay)

    def _forget_departed(self) -> None:
        """Drop heartbeats of workers long gone, so the status lists the workers that matter."""
        try:
            WorkerHeartbeat.objects.filter(last_beat__lt=timezone.now() - FORGET_AFTER).delete()
        except DATABASE_ERRORS as error:
            logger.warning("Could not tidy old worker heartbeats: %s", error)
