from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from qualifications.loader import CatalogueInvalid, load_catalogue

DEFAULT_PATH = Path(settings.BASE_DIR) / "fixtures" / "qualifications"


class Command(BaseCommand):
    help = (
        "Load qualifications, units, outcomes, criteria and guidance from YAML fixtures. "
        "Validates every file first and writes nothing if any problem is found."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths",
            nargs="*",
            help=f"YAML files or folders to load (default: {DEFAULT_PATH}).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the files and report what would change, without writing anything.",
        )

    def handle(self, *args: Any, paths: list[str], dry_run: bool, **options: Any) -> None:
        try:
            report = load_catalogue(paths or [DEFAULT_PATH], dry_run=dry_run)
        except CatalogueInvalid as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(error.problems)} problem(s) found; nothing was written."
            ) from None
        self.stdout.write(f"Checked {len(report.files)} file(s).")
        if not report.changed:
            self.stdout.write("Nothing changed: the catalogue already matches the fixtures.")
            return
        verb = "Would change" if dry_run else "Changed"
        self.stdout.write(f"{verb}:")
        for line, count in sorted(report.changes.items()):
            self.stdout.write(f"  {line} {count}")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        else:
            self.stdout.write(self.style.SUCCESS("Catalogue loaded."))
