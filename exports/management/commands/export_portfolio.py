"""Build a learner's PDF portfolio now, in this process, and write it to a file: the same
signed PDF the site issues (and records, so /verify/ knows it), for scripts and checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from exports import services
from exports.build import build_safely
from exports.models import ExportScope, ExportState, PortfolioExport
from portfolio.errors import ActionRefused
from portfolio.models import Portfolio
from portfolio.units import units_of


class Command(BaseCommand):
    help = (
        "Build the PDF portfolio of the learner with EMAIL on the qualification REFERENCE "
        "(its current or earlier version, whichever they are on) and write it to FILE."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The learner's email address.")
        parser.add_argument("reference", help="The qualification reference, e.g. OCR-L3-RSSP-CERT.")
        parser.add_argument(
            "--scope",
            default="whole",
            help="whole (default), accepted (accepted evidence only) or unit:REFERENCE.",
        )
        parser.add_argument("-o", "--output", required=True, help="Where to write the PDF.")
        parser.add_argument(
            "--by",
            help="Whose request it is recorded as (default: the portfolio's assessor, or the "
            "learner when there is none).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        portfolio = (
            Portfolio.objects.filter(
                learner__email__iexact=options["email"],
                qualification__reference=options["reference"],
            )
            .select_related("learner", "assessor")
            .first()
        )
        if portfolio is None:
            raise CommandError(
                f"No portfolio of {options['email']} on {options['reference']}: check the email "
                "address and the qualification reference."
            )
        actor = self._actor(portfolio, options["by"])
        scope, unit = self._scope(portfolio, options["scope"])
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"The folder {output.parent} does not exist.")
        try:
            export = services.export_request(
                actor=actor, portfolio=portfolio, scope=scope, unit=unit, background=False
            )
        except ActionRefused as error:
            raise CommandError(error.message) from None
        try:
            build_safely(export.pk)
        except Exception as error:
            raise CommandError(f"The PDF could not be made: {error}") from error
        export = PortfolioExport.objects.get(pk=export.pk)
        if export.state != ExportState.DONE:
            raise CommandError(export.error or "The PDF could not be made.")
        with export.file.open("rb") as handle:
            output.write_bytes(handle.read())
        self.stdout.write(
            f"Wrote {output}: {export.pages} pages, {export.size:,} bytes, verification code "
            f"{export.verification_code}, SHA-256 {export.sha256}."
        )

    def _actor(self, portfolio: Portfolio, email: str | None) -> User:
        if not email:
            return portfolio.assessor or portfolio.learner
        actor = User.objects.filter(email__iexact=email, is_active=True).first()
        if (
            actor is None
            or not Portfolio.objects.visible_to(actor).filter(pk=portfolio.pk).exists()
        ):
            raise CommandError(f"{email} cannot see this portfolio, so cannot ask for its PDF.")
        return actor

    def _scope(self, portfolio: Portfolio, scope: str) -> tuple[str, Any]:
        if scope in (ExportScope.WHOLE, ExportScope.ACCEPTED):
            return scope, None
        if scope.startswith("unit:"):
            reference = scope.removeprefix("unit:")
            unit = units_of(portfolio).filter(reference=reference).first()
            if unit is None:
                raise CommandError(f"{reference} is not one of this portfolio's units.")
            return ExportScope.UNIT, unit
        raise CommandError("--scope must be whole, accepted or unit:REFERENCE.")
