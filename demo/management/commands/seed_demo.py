from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.large_centre import LARGE_CENTRE, seed_large_centre
from demo.people import DEMO_PASSWORD, seed_demo_people
from demo.portfolios import seed_demo_portfolios


class Command(BaseCommand):
    help = (
        "Create the local demo centre, its people, and the demo learners' portfolios "
        "(DEBUG only; never in production). Run load_qualifications first. With --learners N, "
        "also build a large centre of N learners for load tests and benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--learners",
            type=int,
            default=0,
            help=f"Also create '{LARGE_CENTRE}' with this many learners (e.g. 2000).",
        )

    def handle(self, *args: Any, learners: int, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo data is for local development only: DEBUG is off.")
        if learners < 0:
            raise CommandError("--learners must be zero or more.")
        people = seed_demo_people()
        portfolios = seed_demo_portfolios()
        self.stdout.write(f"Demo people ready (password {DEMO_PASSWORD!r}):")
        for person in people:
            roles = ", ".join(sorted(person.roles)) or ("site operator" if person.is_staff else "")
            centre = person.centre.name if person.centre else "no centre"
            self.stdout.write(f"  {person.email:30} {centre:20} {roles}")
        self.stdout.write(f"Demo portfolios ready: {len(portfolios)}.")
        if learners:
            started = time.monotonic()
            try:
                seed_large_centre(learners)
            except ValueError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(
                f"{LARGE_CENTRE}: {learners} learners built in "
                f"{time.monotonic() - started:.0f} s. Sign in as admin0000@metro.example, "
                "tutor0000@metro.example or assessor0000@metro.example."
            )
