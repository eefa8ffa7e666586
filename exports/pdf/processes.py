"""How a render process starts (exports.pdf.render starts them to render batches in
parallel). It is started fresh, so this module imports nothing of Django's apps: it sets
Django up first, and only then is the render module, with its models, loaded in it to run
the batches it is sent."""

from __future__ import annotations

import ctypes
import signal

import django

PR_SET_PDEATHSIG = 1


def start() -> None:
    """Die with the export that started this process, and load Django's apps."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    django.setup()
