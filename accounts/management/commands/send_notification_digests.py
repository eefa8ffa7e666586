from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accounts.notifications import send_all_digests


class Command(BaseCommand):
    help = "Email each person one digest of their notifications not yet mailed."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_all_digests()
        self.stdout.write(f"Sent {sent} digest email{'s' if sent != 1 else ''}.")
