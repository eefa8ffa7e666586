from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_PASSWORD, seed_demo_people
from portfolio.demo import seed_demo_portfolios


class Command(BaseCommand):
    help = (
        "Create the local demo centre, its people, and the demo learners' portfolios "
        "(DEBUG only; never in production). Run load_qualifications first."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo data is for local development only: DEBUG is off.")
        people = seed_demo_people()
        portfolios = seed_demo_portfolios()
        self.stdout.write(f"Demo people ready (password {DEMO_PASSWORD!r}):")
        for person in people:
            roles = ", ".join(sorted(person.roles)) or ("site operator" if person.is_staff else "")
            centre = person.centre.name if person.centre else "no centre"
            self.stdout.write(f"  {person.email:30} {centre:20} {roles}")
        self.stdout.write(f"Demo portfolios ready: {len(portfolios)}.")
