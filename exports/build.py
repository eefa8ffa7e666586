"""Asking for, building and verifying printable PDF portfolios."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from weasyprint import HTML

from accounts.notifications import notify
from exports.models import ExportScope, ExportState, PortfolioExport
from exports.pdf import content as export_content
from exports.pdf.assemble import LINK_PREFIX, Part, assemble, page_numbers
from exports.pdf.fetcher import ExportFetcher
from exports.pdf.render import cached_section, prune_cache, render_pdf
from exports.selectors import latest_audit_id
from portfolio.audit import describe
from portfolio.models import EvidenceFile

logger = logging.getLogger(__name__)


def _progress(export_id: int, percent: int, stage: str) -> None:
    # Written outside any transaction so the page polling for progress sees it at once.
    PortfolioExport.objects.filter(pk=export_id).update(progress=min(percent, 99), stage=stage)


AUDIT_CHUNK = 150


def _remembered_front_pages(name: str) -> int:
    try:
        with default_storage.open(f"{name}.txt", "rb") as handle:
            return max(1, int(handle.read().decode() or 3))
    except (FileNotFoundError, ValueError, OSError):
        return 3


def _remember_front_pages(name: str, pages: int) -> None:
    # Kept beside the cached sections, and pruned with them.
    default_storage.delete(f"{name}.txt")
    default_storage.save(f"{name}.txt", ContentFile(str(pages).encode()))


def _goto(key: str) -> str:
    return f"{LINK_PREFIX}{key}"


def _front_context(
    data: export_content.ExportContent,
    numbers: dict[str, int],
    appended: list[tuple[EvidenceFile, int]],
) -> dict[str, object]:
    """Contents and criterion index entries, each with its page number and link."""

    def entry(title: str, key: str, level: int = 0) -> dict[str, object]:
        return {"title": title, "page": numbers.get(key), "link": _goto(key), "level": level}

    contents = [{"title": "Progress summary and criterion index", "anchor": "summary", "level": 0}]
    contents.append({"title": "Units: progress, declarations and sign-offs", "level": 0})
    contents += [
        entry(f"{u.unit.reference} {u.unit.title}", f"unit-{u.unit.pk}", 1) for u in data.units
    ]
    contents.append({"title": "Evidence", "level": 0})
    contents += [
        entry(f"E{i} {s.evidence.title}", f"evidence-{s.evidence.pk}", 1)
        for i, s in enumerate(data.evidence, start=1)
    ]
    if appended:
        contents.append({"title": "Appendix A: uploaded PDFs", "level": 0})
        contents += [entry(f"E{i} {f.original_name}", f"divider-{f.pk}", 1) for f, i in appended]
    contents.append(entry("Appendix B: embedded files and audit timeline", "audit"))
    evidence_number = {s.evidence.pk: i for i, s in enumerate(data.evidence, start=1)}
    index = []
    for unit in data.units:
        rows = []
        for item in unit.criteria:
            refs = [
                {
                    "label": f"E{evidence_number[m.evidence_id]}",
                    "title": m.evidence.title,
                    "status": m.get_status_display(),
                    "accepted": m.status == "accepted",
                    "page": numbers.get(f"evidence-{m.evidence_id}"),
                    "link": _goto(f"evidence-{m.evidence_id}"),
                }
                for m in item.mappings
                if m.evidence_id in evidence_number
            ]
            refs.sort(key=lambda ref: (not ref["accepted"], ref["label"]))
            rows.append({"criterion": item.criterion, "status": item.status.label, "refs": refs})
        index.append({"unit": unit, "rows": rows})
    return {"contents": contents, "index": index}


def build(export: PortfolioExport, *, report: Callable[[int, str], None] | None = None) -> None:
    """Render the export section by section, reusing unchanged sections, and keep the PDF."""
    report = report or (lambda percent, stage: _progress(export.pk, percent, stage))
    PortfolioExport.objects.filter(pk=export.pk).update(state=ExportState.RUNNING)
    export.refresh_from_db()
    audit_id = latest_audit_id(export.portfolio)
    report(2, "Gathering the portfolio")
    data = export_content.gather(export)
    portfolio = data.portfolio
    fetcher = ExportFetcher(portfolio)
    shared = {"data": data, "portfolio": portfolio, "header": data.header}
    parts: list[Part] = []
    keep: set[str] = set()
    work = len(data.units) + len(data.evidence) + 4
    done = 0

    def step(stage: str) -> None:
        nonlocal done
        done += 1
        report(5 + int(85 * done / work), stage)

    for index, unit in enumerate(data.units, start=1):
        fingerprint = export_content.fingerprint(
            "unit",
            data.header,
            unit.unit.pk,
            [
                (c.criterion.pk, c.criterion.text, c.status, [m.pk for m in c.mappings])
                for c in unit.criteria
            ],
            [
                (d.pk, d.wording, d.declared_at)
                for d in data.declarations
                if d.unit_id == unit.unit.pk
            ],
            [
                (s.pk, s.wording, s.signed_at, s.revoked_at, s.revoke_reason)
                for s in data.sign_offs
                if s.unit_id == unit.unit.pk
            ],
            [
                (r.pk, r.verdict, r.feedback)
                for r in data.iqa_reviews
                if r.decision.mapping.criterion.unit_id == unit.unit.pk
            ],
            [(e.evidence.pk, e.evidence.title) for e in data.evidence],
        )
        keep.add(fingerprint)
        unit_id = unit.unit.pk
        pdf, _ = cached_section(
            portfolio.pk,
            fingerprint,
            "exports/pdf/unit.html",
            {
                **shared,
                "unit": unit,
                "number": index,
                "declarations": [d for d in data.declarations if d.unit_id == unit_id],
                "sign_offs": [s for s in data.sign_offs if s.unit_id == unit_id],
                "reviews": [
                    r for r in data.iqa_reviews if r.decision.mapping.criterion.unit_id == unit_id
                ],
            },
            fetcher,
        )
        parts.append(
            Part(
                f"unit-{unit.unit.pk}",
                pdf,
                bookmark=f"Unit {unit.unit.reference}: {unit.unit.title}",
                group="units",
            )
        )
        step(f"Unit {unit.unit.reference}")
    for index, section in enumerate(data.evidence, start=1):
        keep.add(section.fingerprint)
        pdf, _ = cached_section(
            portfolio.pk,
            section.fingerprint,
            "exports/pdf/evidence.html",
            {**shared, "section": section, "number": index},
            fetcher,
        )
        parts.append(
            Part(
                f"evidence-{section.evidence.pk}",
                pdf,
                bookmark=f"E{index}: {section.evidence.title}",
                group="evidence",
            )
        )
        step(f"Evidence {index} of {len(data.evidence)}")

    appended: list[tuple[EvidenceFile, int]] = []
    for index, section in enumerate(data.evidence, start=1):
        for evidence_file in section.pdfs:
            with evidence_file.file.open("rb") as handle:
                uploaded = handle.read()
            divider = Part(
                f"divider-{evidence_file.pk}",
                render_pdf(
                    "exports/pdf/divider.html",
                    {**shared, "file": evidence_file, "section": section, "number": index},
                    fetcher,
                ),
                bookmark=f"Appendix: {evidence_file.original_name}",
                group="appendix",
            )
            parts.extend([divider, Part(f"file-{evidence_file.pk}", uploaded)])
            appended.append((evidence_file, index))
    step("Appended PDFs")
    attachments = [
        (evidence_file, index)
        for index, section in enumerate(data.evidence, start=1)
        for evidence_file in section.attachments
    ]
    whole = export.scope == ExportScope.WHOLE
    parts.append(
        Part(
            "audit",
            render_pdf(
                "exports/pdf/audit.html",
                {**shared, "attachments": attachments, "appended": appended, "whole": whole},
                fetcher,
            ),
            bookmark="Audit timeline",
        )
    )
    if whole:
        # The timeline only grows: cached in fixed chunks, a change re-renders the last one.
        for start in range(0, len(data.audit), AUDIT_CHUNK):
            lines = [describe(entry) for entry in data.audit[start : start + AUDIT_CHUNK]]
            fingerprint = export_content.fingerprint(
                "audit",
                data.header,
                [(line.when, line.who, line.what, line.subject, line.details) for line in lines],
            )
            keep.add(fingerprint)
            pdf, _ = cached_section(
                portfolio.pk,
                fingerprint,
                "exports/pdf/audit_chunk.html",
                {**shared, "lines": lines},
                fetcher,
            )
            parts.append(Part(f"audit-{start}", pdf))
    step("Audit timeline")

    generated_at = timezone.now()
    # Start from the front matter's length last time, so it is usually rendered only once.
    remembered = f"export-cache/{portfolio.pk}/front-{export.scope}-{export.unit_id or 0}"
    keep.add(remembered.rsplit("/", 1)[1])
    front_pages, front = _remembered_front_pages(remembered), b""
    for _ in range(5):
        numbers, _ = page_numbers(parts, front_pages + 1)
        front = render_pdf(
            "exports/pdf/front.html",
            {
                **shared,
                **_front_context(data, numbers, appended),
                "export": export,
                "generated_at": generated_at,
                "verify_url": f"{settings.SITE_URL.rstrip('/')}{reverse('exports:verify')}",
            },
            fetcher,
        )
        counted = Part("front", front).pages
        if counted == front_pages:
            break
        front_pages = counted
    _remember_front_pages(remembered, front_pages)
    step("Contents and index")
    all_parts = [Part("front", front, bookmark="Cover, contents and index"), *parts]
    total = sum(part.pages for part in all_parts)
    overlay = HTML(
        string=render_to_string(
            "exports/pdf/page_furniture.html", {"header": data.header, "pages": range(total)}
        ),
        base_url="export:",
        url_fetcher=fetcher,
    ).write_pdf()
    embedded = []
    for evidence_file, index in attachments:
        with evidence_file.file.open("rb") as handle:
            embedded.append((f"E{index} {evidence_file.original_name}", handle.read()))
    report(95, "Assembling the document")
    pdf = assemble(
        all_parts,
        overlay=overlay,
        attachments=embedded,
        metadata={
            "/Title": f"Portfolio: {portfolio.learner.full_name}, {portfolio.qualification.title}",
            "/Author": portfolio.centre.name,
            "/Subject": f"Evidence portfolio ({export.options_label.lower()}), "
            f"verification code {export.verification_code}",
            "/Creator": "Evidence portfolio",
        },
        groups={"units": "Units", "evidence": "Evidence", "appendix": "Appended PDFs"},
    )
    digest = hashlib.sha256(pdf).hexdigest()
    export.file.save(f"{export.verification_code}.pdf", ContentFile(pdf), save=False)
    PortfolioExport.objects.filter(pk=export.pk).update(
        file=export.file.name,
        size=len(pdf),
        pages=total,
        sha256=digest,
        state=ExportState.DONE,
        progress=100,
        stage="Ready",
        finished_at=generated_at,
        last_audit_id=audit_id,
    )
    if export.scope == ExportScope.WHOLE:
        # Only a whole export knows every section still in use.
        prune_cache(portfolio.pk, keep)
    notify(
        recipient=export.requested_by,
        message=f"The PDF of {portfolio.learner}'s portfolio is ready.",
        link=reverse("exports:export_detail", args=[export.pk]),
    )


def build_safely(export_id: int) -> None:
    export = PortfolioExport.objects.select_related("portfolio", "requested_by", "unit").get(
        pk=export_id
    )
    if export.state == ExportState.DONE:
        return
    try:
        build(export)
    except Exception:
        logger.exception("Export %s failed", export_id)
        PortfolioExport.objects.filter(pk=export_id).update(
            state=ExportState.FAILED,
            stage="Failed",
            error=(
                "The PDF could not be made. Try again; if it fails again, tell your administrator."
            ),
        )
        raise
