"""What `manage.py worker_status` tells an operator, and how the worker backs off."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import WorkerHeartbeat
from accounts.workers import MAX_BACKOFF_SECONDS, SILENT_AFTER, backoff_seconds


def _heartbeat(worker_id: str, queues: str, *, ago: timedelta) -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id, queues=queues, host="here", pid=1, last_beat=timezone.now() - ago
    )


@pytest.mark.django_db
def test_worker_status_tells_a_beating_worker_from_a_silent_one() -> None:
    _heartbeat("fresh", "renditions,default", ago=timedelta(seconds=1))
    _heartbeat("stuck", "exports", ago=SILENT_AFTER * 3)
    output = StringIO()

    call_command("worker_status", stdout=output, no_color=True)

    lines = {line.split()[0]: line for line in output.getvalue().splitlines() if line[:1] != " "}
    assert "taking tasks" in lines["fresh"]
    assert "SILENT" in lines["stuck"]
    assert "renditions,default" in lines["fresh"]


def test_backoff_doubles_after_each_failure_up_to_a_cap() -> None:
    waits = [backoff_seconds(failures) for failures in range(1, 12)]

    assert all(later >= earlier for earlier, later in pairwise(waits))
    assert waits[1] == 2 * waits[0]
    assert max(waits) == MAX_BACKOFF_SECONDS
