"""Settings for a real worker process in tests: the project's SQLite file, tasks in the database."""

from __future__ import annotations

from config.settings import *  # noqa: F403
from config.settings import DATABASES, TASK_QUEUES

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
# Give up on a locked database after one second, not twenty, so a short lock is felt at once.
DATABASES["default"]["OPTIONS"]["timeout"] = 1
