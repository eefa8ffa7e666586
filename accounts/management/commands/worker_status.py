"""`manage.py worker_status`: each worker's last heartbeat and the tasks waiting on each queue."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Count
from django.utils import timezone
from django.utils.timesince import timesince
from django_tasks_db.models import DBTaskResult

from accounts.models import WorkerHeartbeat
from accounts.workers import SILENT_AFTER


class Command(BaseCommand):
    help = "Show whether each task worker is taking tasks, and the tasks waiting on each queue."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        workers = list(WorkerHeartbeat.objects.all())
        if not workers:
            self.stdout.write("No worker has ever beaten: start one with `manage.py worker`.")
        for worker in workers:
            silent = now - worker.last_beat > SILENT_AFTER
            state = (
                self.style.ERROR(f"SILENT for {timesince(worker.last_beat, now)}")
                if silent
                else self.style.SUCCESS("taking tasks")
            )
            self.stdout.write(
                f"{worker.worker_id}  queues {worker.queues}  {state}  last beat "
                f"{worker.last_beat:%Y-%m-%d %H:%M:%S}  tasks run {worker.tasks_run}  "
                f"pid {worker.pid} on {worker.host}"
            )
            if worker.last_error_at:
                self.stdout.write(
                    f"    last database error {worker.last_error_at:%Y-%m-%d %H:%M:%S}: "
                    f"{worker.last_error}"
                )
        waiting = (
            DBTaskResult.objects.ready()
            .values_list("queue_name")
            .annotate(count=Count("pk"))
            .order_by("queue_name")
        )
        summary = ", ".join(f"{queue} {count}" for queue, count in waiting) or "none"
        self.stdout.write(f"Tasks waiting: {summary}")
