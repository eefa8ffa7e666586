from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from demo.eqa import ERIN, seed_demo_eqa
from demo.homes import seed_demo_homes
from demo.large_centre import LARGE_CENTRE, large_centre_email, seed_large_centre
from demo.large_portfolio import FULL, SIZES, seed_large_portfolio
from demo.people import DEMO_PASSWORD, seed_demo_people
from demo.portfolios import seed_demo_portfolios


class Command(BaseCommand):
    help = (
        "Create the local demo centre, its people, and the demo learners' portfolios "
        "(DEBUG only; never in production). Run load_qualifications first. With --learners N, "
        "also build a large centre of N learners for load tests and benchmarks. With "
        "--large-portfolio, also give Amy the very large portfolio bench/pdf_export.py exports."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--learners",
            type=int,
            default=0,
            help=f"Also create '{LARGE_CENTRE}' with this many learners (e.g. 2000).",
        )
        parser.add_argument(
            "--large-portfolio",
            nargs="?",
            const=FULL.label,
            choices=sorted(SIZES),
            help=(
                f"Also give Amy a very large portfolio to export ({FULL.describe()}; several "
                "minutes). 'small' builds a quick one."
            ),
        )

    def handle(
        self, *args: Any, learners: int, large_portfolio: str | None, **options: Any
    ) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo data is for local development only: DEBUG is off.")
        if learners < 0:
            raise CommandError("--learners must be zero or more.")
        people = seed_demo_people()
        portfolios = seed_demo_portfolios()
        seed_demo_homes()
        self.stdout.write(f"Demo people ready (password {DEMO_PASSWORD!r}):")
        for person in people:
            roles = ", ".join(sorted(person.roles)) or ("site operator" if person.is_staff else "")
            centre = person.centre.name if person.centre else "no centre"
            self.stdout.write(f"  {person.email:30} {centre:20} {roles}")
        self.stdout.write(f"Demo portfolios ready: {len(portfolios)}.")
        if link := seed_demo_eqa():
            self.stdout.write(f"External quality assurer {ERIN.email} signs in from: {link}")
        if learners:
            started = time.monotonic()
            try:
                seed_large_centre(learners)
            except ValueError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(
                f"{LARGE_CENTRE}: {learners} learners built in "
                f"{time.monotonic() - started:.0f} s. Sign in as {large_centre_email('admin')}, "
                f"{large_centre_email('tutor')} or {large_centre_email('assessor')}."
            )
        if large_portfolio:
            self._seed_large_portfolio(large_portfolio)

    def _seed_large_portfolio(self, label: str) -> None:
        started = time.monotonic()
        try:
            portfolio = seed_large_portfolio(size=SIZES[label])
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Large portfolio ({SIZES[label].describe()}) built in "
            f"{time.monotonic() - started:.0f} s. Sign in as {portfolio.learner.email} and "
            f"make its PDF at {reverse('exports:export_list', args=[portfolio.pk])}."
        )
