"""Test settings: the real settings with a fast hasher, in-memory files and in-line tasks."""

from __future__ import annotations

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

# Serve static files from the apps' folders, as in development; there is no collectstatic in tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Tasks run in-line as soon as they are enqueued (after commit), so tests see their results.
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": TASK_QUEUES,  # noqa: F405
    }
}
# In-line exports share the test's transaction, so they cannot run in a child process; and
# since that transaction never commits, a requested PDF stays queued: allow many at once.
EXPORT_IN_CHILD_PROCESS = False
# Sections render in the test's own process (its data is in an open transaction); the test of
# render processes turns them on.
EXPORT_RENDER_PROCESSES = 1
EXPORT_MAX_UNFINISHED_PER_PORTFOLIO = 100
EXPORT_MAX_UNFINISHED_PER_PERSON = 100
