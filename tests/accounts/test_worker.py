"""The task worker survives a locked database and shows, by its heartbeat, that it is working."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="holds a write lock on the SQLite database file; PostgreSQL has no such file lock",
)

WORKER_COMMAND = "worker"

SETUP = """
import sys, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from datetime import UTC, datetime
from tests.accounts.worker_tasks import leave_mark
# Not due until the test makes it due while holding the lock, so the worker cannot take it early.
leave_mark.using(run_after=datetime(2100, 1, 1, tzinfo=UTC)).enqueue(sys.argv[1])
"""
TASK_TABLE = "django_tasks_database_dbtaskresult"


def _environment(var_dir: Path) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(
        VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="tests.accounts.worker_settings",
        PYTHONUNBUFFERED="1",
    )
    return environment


def _wait_for(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def _last_beats(database: Path) -> list[datetime]:
    with sqlite3.connect(database) as reader:
        rows = reader.execute("SELECT last_beat FROM accounts_workerheartbeat").fetchall()
    return [datetime.fromisoformat(value).replace(tzinfo=UTC) for (value,) in rows]


def test_worker_takes_tasks_again_after_the_database_was_locked(tmp_path: Path) -> None:
    environment = _environment(tmp_path)
    database = tmp_path / "db.sqlite3"
    marker = tmp_path / "task-ran"
    subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SETUP, str(marker)],
        cwd=settings.BASE_DIR,
        env=environment,
        check=True,
        timeout=60,
    )

    log = tmp_path / "worker.log"
    with log.open("w") as output:
        worker = subprocess.Popen(  # noqa: S603 - our own manage.py
            [
                sys.executable,
                "manage.py",
                WORKER_COMMAND,
                "--queue-name=default",
                "--interval=0.2",
                "--no-startup-delay",
                "--no-reload",
            ],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    lock = sqlite3.connect(database, isolation_level=None)
    try:
        assert _wait_for(lambda: "Starting worker" in log.read_text(), 20), log.read_text()
        # Another connection holds the write lock, as a long request would, and makes the task
        # due inside that transaction: the worker can see it only once the lock is released.
        lock.execute("BEGIN EXCLUSIVE")
        lock.execute(f"UPDATE {TASK_TABLE} SET run_after = '2000-01-01 00:00:00'")  # noqa: S608
        saw_lock = _wait_for(lambda: "database is locked" in log.read_text(), 20)
        time.sleep(2)
        lock.execute("COMMIT")
        released_at = datetime.now(UTC)
        lock.close()

        assert saw_lock, log.read_text()
        assert _wait_for(marker.exists, 15), f"task never ran:\n{log.read_text()}"
        assert worker.poll() is None, log.read_text()
        assert _wait_for(lambda: any(b >= released_at for b in _last_beats(database)), 10)
    finally:
        worker.terminate()
        worker.wait(timeout=10)
