"""`manage.py worker`: run background tasks, surviving database errors, with a heartbeat."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.management.commands.db_worker import valid_interval

from accounts.workers import MAX_BACKOFF_SECONDS, ResilientWorker


class Command(DatabaseWorkerCommand):
    help = (
        "Run background tasks from the database queues. Unlike db_worker it waits out database "
        "errors (backing off) and records a heartbeat that `manage.py worker_status` shows."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--max-backoff",
            default=MAX_BACKOFF_SECONDS,
            type=valid_interval,
            help="Most seconds to wait between tries while the database fails (%(default)r)",
        )
        # The reloader runs the loop in a thread; a crash there leaves a live, idle process.
        parser.set_defaults(reload=False)

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        exclude_queues: str,
        reload: bool,
        max_backoff: float,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        if reload:
            self.stderr.write("The worker does not reload on code changes; restart it instead.")
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            excluded_queue_names=excluded,
            max_backoff=max_backoff,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
        )
        worker.configure_signals()
        worker.run()
