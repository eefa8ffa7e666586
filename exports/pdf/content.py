"""Everything one export shows, read in a fixed number of queries, with a fingerprint per
section so unchanged sections can be reused from the last export."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db.models import Prefetch

from assessment.models import Decision, IqaReview, UnitDeclaration, UnitSignOff
from assessment.progress import RulesProgress, UnitProgress, portfolio_progress, rules_progress
from exports.models import ExportScope, PortfolioExport
from portfolio.models import (
    AuditEntry,
    Evidence,
    EvidenceFile,
    FileKind,
    Mapping,
    MappingStatus,
    Portfolio,
)
from portfolio.selectors import witness_statement_of

# Bump when a section template changes, so cached sections are rendered afresh.
TEMPLATE_VERSION = "6"


@dataclass
class EvidenceSection:
    evidence: Evidence
    mappings: list[Mapping]
    files: list[EvidenceFile]
    fingerprint: str = ""

    @property
    def images(self) -> list[EvidenceFile]:
        return [f for f in self.files if f.kind == FileKind.IMAGE]

    @property
    def pdfs(self) -> list[EvidenceFile]:
        return [f for f in self.files if f.kind == FileKind.PDF]

    @property
    def attachments(self) -> list[EvidenceFile]:
        return [f for f in self.files if f.kind not in (FileKind.IMAGE, FileKind.PDF)]


@dataclass
class ExportContent:
    export: PortfolioExport
    portfolio: Portfolio
    units: list[UnitProgress]
    evidence: list[EvidenceSection]
    declarations: list[UnitDeclaration]
    sign_offs: list[UnitSignOff]
    iqa_reviews: list[IqaReview]
    audit: list[AuditEntry]
    rules: RulesProgress
    header: str = ""

    @property
    def complete(self) -> bool:
        return self.rules.complete

    @property
    def iqa_names(self) -> list[str]:
        return sorted({str(review.reviewer) for review in self.iqa_reviews})

    def template_context(self, **section: object) -> dict[str, object]:
        """What every export template may use, plus what one section adds."""
        return {"content": self, "portfolio": self.portfolio, "header": self.header, **section}


def fingerprint(*parts: object) -> str:
    """A stable digest of what a section shows; equal digests mean the cached PDF still fits."""
    payload = json.dumps([TEMPLATE_VERSION, *parts], default=str, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def gather(export: PortfolioExport) -> ExportContent:
    """Everything the export shows, read in a fixed number of queries before any rendering."""
    portfolio = Portfolio.objects.select_related(
        "learner", "centre", "assessor", "tutor", "cohort", "qualification__awarding_body"
    ).get(pk=export.portfolio_id)
    # The portfolio's own units: its mandatory units and the optional units chosen for it.
    all_units = portfolio_progress(portfolio)
    units = all_units
    if export.scope == ExportScope.UNIT:
        units = [unit for unit in all_units if unit.unit.pk == export.unit_id]
    unit_ids = {unit.unit.pk for unit in units}
    mapping_filter = {"criterion__unit__in": unit_ids}
    if export.scope == ExportScope.ACCEPTED:
        mapping_filter["status"] = MappingStatus.ACCEPTED
    decisions = Decision.objects.select_related("decided_by").order_by("decided_at", "pk")
    mappings = (
        Mapping.objects.filter(**mapping_filter)
        .select_related("criterion__unit", "criterion__outcome")
        .prefetch_related(Prefetch("decisions", queryset=decisions))
        .order_by("criterion__unit__reference", "criterion__outcome__number", "criterion__position")
    )
    evidence = (
        portfolio.evidence.filter(mappings__in=Mapping.objects.filter(**mapping_filter))
        .distinct()
        .select_related("witness_statement")
        .prefetch_related(
            Prefetch("mappings", queryset=mappings, to_attr="export_mappings"),
            Prefetch("files", queryset=EvidenceFile.objects.order_by("uploaded_at", "pk")),
        )
        .order_by("activity_date", "pk")
    )
    header = f"{portfolio.learner.full_name} · {portfolio.qualification.title}"
    sections = []
    for number, item in enumerate(evidence, start=1):
        files = list(item.files.all())
        section = EvidenceSection(evidence=item, mappings=item.export_mappings, files=files)
        witness = witness_statement_of(item)
        section.fingerprint = fingerprint(
            header,
            number,
            [item.pk, item.type, item.title, item.activity_date, item.description],
            witness and [witness.pk, witness.witness_name, witness.signed_at, witness.activities],
            [(f.pk, f.sha256, f.print_rendition.name, f.original_name) for f in files],
            [
                (
                    m.pk,
                    m.status,
                    m.commentary,
                    m.criterion.number,
                    m.criterion.text,
                    [
                        (d.pk, d.outcome, d.feedback, str(d.decided_by), d.decided_at)
                        for d in m.decisions.all()
                    ],
                )
                for m in section.mappings
            ],
        )
        sections.append(section)
    return ExportContent(
        export=export,
        portfolio=portfolio,
        units=units,
        evidence=sections,
        declarations=list(
            UnitDeclaration.objects.filter(portfolio=portfolio, unit__in=unit_ids)
            .select_related("unit", "declared_by")
            .order_by("declared_at")
        ),
        sign_offs=list(
            UnitSignOff.objects.filter(portfolio=portfolio, unit__in=unit_ids)
            .select_related("unit", "signed_by", "revoked_by")
            .order_by("signed_at")
        ),
        iqa_reviews=list(
            IqaReview.objects.filter(
                decision__mapping__evidence__portfolio=portfolio,
                decision__mapping__criterion__unit__in=unit_ids,
            )
            .select_related(
                "reviewer", "decision__decided_by", "decision__mapping__criterion__unit"
            )
            .order_by("reviewed_at")
        ),
        audit=list(portfolio.audit_entries.select_related("actor").order_by("at", "pk")),
        rules=rules_progress(portfolio, all_units),
        header=header,
    )
