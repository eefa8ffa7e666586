"""A printable PDF of a portfolio: asked for, rendered in the background, kept and verifiable."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from portfolio.models import Portfolio


class ExportScope(models.TextChoices):
    WHOLE = "whole", "The whole portfolio"
    UNIT = "unit", "One unit"
    ACCEPTED = "accepted", "Accepted evidence only"


class ExportState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Rendering"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


def export_path(instance: PortfolioExport, filename: str) -> str:
    return f"exports/{instance.portfolio_id}/{uuid.uuid4().hex}.pdf"


class PortfolioExportQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> PortfolioExportQuerySet:
        return self.filter(portfolio__in=Portfolio.objects.visible_to(user))


class PortfolioExport(models.Model):
    """One printable PDF of a portfolio: asked for, rendered in the background, kept."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.PROTECT, related_name="exports")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now, editable=False)
    scope = models.CharField(max_length=10, choices=ExportScope.choices, default=ExportScope.WHOLE)
    unit = models.ForeignKey(
        "qualifications.Unit", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    state = models.CharField(max_length=10, choices=ExportState.choices, default=ExportState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    verification_code = models.CharField(max_length=20, unique=True)
    file = models.FileField(upload_to=export_path, max_length=300, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # The latest audit entry the export reflects: later entries mean the portfolio changed.
    last_audit_id = models.BigIntegerField(null=True, blank=True)

    objects = PortfolioExportQuerySet.as_manager()

    class Meta:
        # The table keeps the name it had when exports lived in the portfolio app: moving the
        # model changed only Django's state, never the data.
        db_table = "portfolio_portfolioexport"
        ordering = ["-requested_at", "-pk"]
        # /verify/ finds an issued file by its fingerprint.
        indexes = [models.Index(fields=["sha256"], name="export_sha256")]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=ExportScope.values), name="export_scope_known"
            ),
            models.CheckConstraint(
                condition=Q(state__in=ExportState.values), name="export_state_known"
            ),
            models.CheckConstraint(
                condition=~Q(scope=ExportScope.UNIT) | Q(unit__isnull=False),
                name="export_unit_scope_names_unit",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"PDF of {self.portfolio} ({self.get_scope_display().lower()})"

    @property
    def download_name(self) -> str:
        """What the file is called when downloaded: learner, qualification, scope, date and
        verification code, e.g. portfolio-Amy-Archer-OCR-L3-RSSP-CERT-unit-RS-WWO-2026-11-26-
        7K3M-QX9P-2ZRT.pdf, so a folder of them sorts and explains itself."""
        scope = {ExportScope.WHOLE: "whole", ExportScope.ACCEPTED: "accepted"}.get(
            self.scope, f"unit-{self.unit.reference if self.unit_id else ''}"
        )
        made = (self.finished_at or self.requested_at).date().isoformat()
        parts = [
            "portfolio",
            self.portfolio.learner.full_name,
            self.portfolio.qualification.reference,
            scope,
            made,
            self.verification_code,
        ]
        name = "-".join(parts)
        return "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in name) + ".pdf"

    @property
    def options_label(self) -> str:
        if self.scope == ExportScope.UNIT and self.unit_id:
            return f"Unit {self.unit.reference}"
        return self.get_scope_display()
