"""Everything one export shows, read in a fixed number of queries, with a fingerprint per
section so unchanged sections can be reused from the last export."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from accounts.models import User
from assessment import plans
from assessment.models import (
    Countersignature,
    Decision,
    IqaReview,
    Outcome,
    ProgressReview,
    UnitDeclaration,
    UnitSignOff,
)
from assessment.progress import RulesProgress, UnitProgress, portfolio_progress, rules_progress
from exports.models import ExportScope, PortfolioExport
from portfolio.hours import Pace
from portfolio.models import (
    AssessorRecord,
    AuditEntry,
    Evidence,
    EvidenceFile,
    FileKind,
    Mapping,
    MappingStatus,
    Message,
    OffTheJobEntry,
    Portfolio,
    assessor_record_of,
    witness_statement_of,
)
from portfolio.selectors import off_the_job_entries, off_the_job_paces

# Bump when a section template changes, so cached sections are rendered afresh.
TEMPLATE_VERSION = "16"


@dataclass
class EvidenceSection:
    evidence: Evidence
    mappings: list[Mapping]
    files: list[EvidenceFile]
    fingerprint: str = ""
    # The assessor's observation or discussion record behind this evidence, if it is one.
    record: AssessorRecord | None = None
    # The conversation about this evidence between the learner and their staff, oldest first.
    messages: list[Message] = field(default_factory=list)

    @property
    def number(self) -> int:
        """The evidence's own number in the portfolio, the same in every export and scope."""
        return self.evidence.number

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
class PersonCredentials:
    """Someone who decided in this portfolio, what they did in it, and their credentials."""

    person: User
    parts: list[str]


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
    countersignatures: list[Countersignature] = field(default_factory=list)
    people: list[PersonCredentials] = field(default_factory=list)
    # An apprenticeship's off-the-job hours: every entry, and the pace against the plan.
    off_the_job: list[OffTheJobEntry] = field(default_factory=list)
    off_the_job_pace: Pace | None = None

    # The assessment plan and progress reviews: the whole portfolio's, not one unit's.
    plan: list[plans.PlanRow] = field(default_factory=list)
    reviews: list[ProgressReview] = field(default_factory=list)
    # A whole-portfolio export's evidence mapped to none of its units' criteria (else empty).
    unmapped: list[EvidenceSection] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.rules.complete

    @property
    def whole(self) -> bool:
        return self.export.scope == ExportScope.WHOLE

    @property
    def portfolio_countersignature(self) -> Countersignature | None:
        """The IQA's standing countersignature of the whole portfolio, if there is one."""
        standing = [c for c in self.countersignatures if c.unit_id is None and c.revoked_at is None]
        return standing[-1] if standing else None

    @property
    def units_to_sign_off(self) -> list[UnitProgress]:
        """The portfolio's units with no standing sign-off: what remains before it is complete."""
        return [unit for unit in self.units if unit.sign_off is None]

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


def deciders(
    portfolio: Portfolio,
    unit_ids: set[int],
    sign_offs: list[UnitSignOff],
    reviews: list[IqaReview],
    countersignatures: list[Countersignature],
) -> list[PersonCredentials]:
    """The assessors and IQAs who decided, signed or sampled in this portfolio, with their
    credentials, so a reader can see each was qualified to; two queries."""
    parts: dict[int, set[str]] = {}
    assessed = Decision.objects.filter(
        mapping__evidence__portfolio=portfolio,
        mapping__criterion__unit__in=unit_ids,
        outcome__in=(Outcome.ACCEPTED, Outcome.REFERRED),
    ).values_list("decided_by_id", flat=True)
    for person_id in assessed:
        parts.setdefault(person_id, set()).add("assessed")
    for sign_off in sign_offs:
        parts.setdefault(sign_off.signed_by_id, set()).add("signed off units")
    for review in reviews:
        parts.setdefault(review.reviewer_id, set()).add("sampled decisions (IQA)")
    for countersignature in countersignatures:
        parts.setdefault(countersignature.signed_by_id, set()).add("countersigned (IQA)")
    people = User.objects.filter(pk__in=parts).prefetch_related("credentials")
    return [PersonCredentials(person, sorted(parts[person.pk])) for person in people]


def _record_parts(record: AssessorRecord | None) -> list[object]:
    """What the export shows of an assessor's record, for the section's fingerprint."""
    if record is None:
        return []
    return [
        str(record.author),
        record.location,
        record.occurred_at,
        record.observed,
        record.judgement,
        [(item.question, item.answer) for item in record.items.all()],
        str(record.acknowledged_by or ""),
        record.acknowledged_at,
        record.acknowledgement_wording,
    ]


def unmapped_evidence(portfolio: Portfolio, unit_ids: set[int]) -> list[EvidenceSection]:
    """The portfolio's evidence mapped to no criterion of its units, with its files; two
    queries."""
    mapped = Mapping.objects.filter(
        evidence__portfolio=portfolio, criterion__unit__in=unit_ids
    ).values("evidence_id")
    evidence = (
        portfolio.evidence.exclude(pk__in=mapped)
        .prefetch_related(
            Prefetch("files", queryset=EvidenceFile.objects.order_by("uploaded_at", "pk"))
        )
        .order_by("number")
    )
    return [
        EvidenceSection(evidence=item, mappings=[], files=list(item.files.all()))
        for item in evidence
    ]


def gather(export: PortfolioExport) -> ExportContent:
    """Everything the export shows, read in a fixed number of queries before any rendering."""
    portfolio = (
        Portfolio.objects.select_related(
            "learner",
            "centre",
            "assessor",
            "tutor",
            "iqa",
            "cohort",
            "employer",
            "qualification__awarding_body",
        )
        .prefetch_related("assessor__credentials", "iqa__credentials")
        .get(pk=export.portfolio_id)
    )
    # The portfolio's own units: its mandatory units and the optional units chosen for it.
    all_units = portfolio_progress(portfolio)
    units = all_units
    if export.scope == ExportScope.UNIT:
        units = [unit for unit in all_units if unit.unit.pk == export.unit_id]
    unit_ids = {unit.unit.pk for unit in units}
    mapping_filter = {"criterion__unit__in": unit_ids}
    if export.scope == ExportScope.ACCEPTED:
        mapping_filter["status"] = MappingStatus.ACCEPTED
    decisions = (
        Decision.objects.select_related("decided_by")
        .prefetch_related("decided_by__credentials")
        .order_by("decided_at", "pk")
    )
    mappings = (
        Mapping.objects.filter(**mapping_filter)
        .select_related("criterion__unit", "criterion__outcome")
        .prefetch_related(Prefetch("decisions", queryset=decisions))
        .order_by("criterion__unit__reference", "criterion__outcome__number", "criterion__position")
    )
    evidence = (
        portfolio.evidence.filter(mappings__in=Mapping.objects.filter(**mapping_filter))
        .distinct()
        .select_related(
            "assessor_record__author", "assessor_record__acknowledged_by", "witness_statement"
        )
        .prefetch_related(
            "assessor_record__items",
            Prefetch("mappings", queryset=mappings, to_attr="export_mappings"),
            Prefetch("files", queryset=EvidenceFile.objects.order_by("uploaded_at", "pk")),
            Prefetch(
                "messages",
                queryset=Message.objects.select_related("author").order_by("created_at", "pk"),
                to_attr="export_messages",
            ),
        )
        .order_by("number")
    )
    header = f"{portfolio.learner.full_name} · {portfolio.qualification.title}"
    sections = []
    for item in evidence:
        files = list(item.files.all())
        record = assessor_record_of(item)
        section = EvidenceSection(
            evidence=item,
            mappings=item.export_mappings,
            files=files,
            record=record,
            messages=item.export_messages,
        )
        witness = witness_statement_of(item)
        section.fingerprint = fingerprint(
            header,
            item.number,
            [item.pk, item.type, item.title, item.activity_date, item.description],
            _record_parts(record),
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
            [(m.pk, str(m.author), m.created_at, m.body) for m in section.messages],
        )
        sections.append(section)
    sign_offs = list(
        UnitSignOff.objects.filter(portfolio=portfolio, unit__in=unit_ids)
        .select_related("unit", "signed_by", "revoked_by")
        .order_by("signed_at")
    )
    iqa_reviews = list(
        IqaReview.objects.filter(
            decision__mapping__evidence__portfolio=portfolio,
            decision__mapping__criterion__unit__in=unit_ids,
        )
        .select_related("reviewer", "decision__decided_by", "decision__mapping__criterion__unit")
        .order_by("reviewed_at")
    )
    # The units' countersignatures, and the whole portfolio's unless one unit is exported.
    countersigned = Q(unit__in=unit_ids)
    if export.scope != ExportScope.UNIT:
        countersigned |= Q(unit__isnull=True)
    countersignatures = list(
        Countersignature.objects.filter(countersigned, portfolio=portfolio)
        .select_related("unit", "signed_by", "revoked_by")
        .order_by("signed_at", "pk")
    )
    # The plan, reviews and hours are the whole portfolio's, not one unit's.
    whole = export.scope != ExportScope.UNIT
    unmapped = unmapped_evidence(portfolio, unit_ids) if export.scope == ExportScope.WHOLE else []
    off_the_job: list[OffTheJobEntry] = []
    if portfolio.is_apprenticeship and whole:
        off_the_job = list(off_the_job_entries(portfolio).order_by("date", "pk"))
    return ExportContent(
        off_the_job=off_the_job,
        off_the_job_pace=off_the_job_paces([portfolio]).get(portfolio.pk) if whole else None,
        export=export,
        portfolio=portfolio,
        unmapped=unmapped,
        plan=plans.plan_rows(portfolio) if whole else [],
        reviews=plans.reviews(portfolio) if whole else [],
        units=units,
        evidence=sections,
        countersignatures=countersignatures,
        people=deciders(portfolio, unit_ids, sign_offs, iqa_reviews, countersignatures),
        declarations=list(
            UnitDeclaration.objects.filter(portfolio=portfolio, unit__in=unit_ids)
            .select_related("unit", "declared_by")
            .order_by("declared_at")
        ),
        sign_offs=sign_offs,
        iqa_reviews=iqa_reviews,
        audit=list(portfolio.audit_entries.select_related("actor").order_by("at", "pk")),
        rules=rules_progress(portfolio, all_units),
        header=header,
    )
