"""Building a PDF portfolio in five steps: collect, render the sections, assemble, stamp, store."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.notifications import notify
from exports.models import ExportScope, ExportState, PortfolioExport
from exports.pdf import content as export_content
from exports.pdf.assemble import assemble
from exports.pdf.content import ExportContent
from exports.pdf.fetcher import ExportFetcher
from exports.pdf.finish import finish
from exports.pdf.front import fixed_parts, remembered_length_name, render_front_matter
from exports.pdf.render import prune_cache
from exports.pdf.sections import AUDIT_CHUNK, BOOKMARK_GROUPS, NumberedFile, render_sections
from exports.pdf.stamp import stamp
from exports.selectors import latest_audit_id
from exports.signing import sign
from portfolio.models import Portfolio

logger = logging.getLogger(__name__)

# Told how far the build has got: a percentage and a stage people can read.
Report = Callable[[int, str], None]


def _progress(export_id: int, percent: int, stage: str) -> None:
    # Written outside any transaction so the page polling for progress sees it at once.
    PortfolioExport.objects.filter(pk=export_id).update(progress=min(percent, 99), stage=stage)


class _SectionProgress:
    """Moves the bar from 5 % towards 90 % as each section is done, so a long build shows life."""

    def __init__(self, report: Report, sections: int) -> None:
        self.report = report
        self.sections = sections
        self.done = 0

    def __call__(self, stage: str) -> None:
        self.done += 1
        self.report(5 + int(85 * min(self.done, self.sections) / self.sections), stage)


def build(export: PortfolioExport, *, report: Report | None = None) -> None:
    """Render the export section by section, reusing unchanged sections, and keep the PDF."""
    report = report or (lambda percent, stage: _progress(export.pk, percent, stage))
    PortfolioExport.objects.filter(pk=export.pk).update(state=ExportState.RUNNING)
    export.refresh_from_db()
    audit_id = latest_audit_id(export.portfolio)

    report(2, "Gathering the portfolio")
    content = export_content.gather(export)
    fetcher = ExportFetcher(content.portfolio)
    # Units, evidence, audit timeline chunks, appended PDFs' headings, the front matter's fixed
    # parts; then the appended PDFs, the timeline and the contents and index as three steps.
    chunks = -(-len(content.audit) // AUDIT_CHUNK) if content.whole else 0
    appended = sum(len(section.pdfs) for section in content.evidence)
    section_done = _SectionProgress(
        report, len(content.units) + len(content.evidence) + chunks + appended + 7
    )

    generated_at = timezone.now()
    sections = render_sections(
        content,
        fetcher,
        section_done=section_done,
        beside=fixed_parts(content, generated_at=generated_at),
    )
    front_matter, front_names = render_front_matter(
        content, sections.beside, sections.parts, sections.appended, fetcher=fetcher
    )
    section_done("Contents and index")

    report(95, "Assembling the document")
    metadata = _metadata(content)
    assembly = assemble(
        [*front_matter, *sections.parts],
        attachments=_embedded_files(sections.attachments) + sections.embedded,
        groups=BOOKMARK_GROUPS,
    )
    furniture_name = stamp(
        assembly,
        header=content.header,
        code=content.export.verification_code,
        portfolio_id=content.portfolio.pk,
        fetcher=fetcher,
    )
    pages = len(assembly.document.pages)
    try:
        unsigned = finish(assembly.document, **metadata)
    finally:
        assembly.close()
    pdf = sign(
        unsigned,
        reason=f"Evidence portfolio of {content.portfolio.learner.full_name}, verification code "
        f"{content.export.verification_code}",
        location=content.portfolio.centre.name,
    )

    _store(
        export,
        portfolio=content.portfolio,
        pdf=pdf,
        pages=pages,
        finished_at=generated_at,
        last_audit_id=audit_id,
        cache_names_in_use=sections.cache_names_in_use
        | front_names
        | {furniture_name, remembered_length_name(export)},
    )


def _embedded_files(attachments: list[NumberedFile]) -> list[tuple[str, bytes]]:
    """Files that cannot be printed travel inside the PDF, named after their evidence."""
    embedded = []
    for evidence_file, number in attachments:
        with evidence_file.file.open("rb") as handle:
            embedded.append((f"E{number} {evidence_file.original_name}", handle.read()))
    return embedded


def _metadata(content: ExportContent) -> dict[str, str]:
    """Document properties a PDF reader shows, naming the learner and the verification code."""
    portfolio, export = content.portfolio, content.export
    return {
        "title": f"Portfolio: {portfolio.learner.full_name}, {portfolio.qualification.title}",
        "author": portfolio.centre.name,
        "subject": f"Evidence portfolio ({export.options_label.lower()}), "
        f"verification code {export.verification_code}",
    }


def _store(
    export: PortfolioExport,
    *,
    portfolio: Portfolio,
    pdf: bytes,
    pages: int,
    finished_at: datetime,
    last_audit_id: int | None,
    cache_names_in_use: set[str],
) -> None:
    """Keep the PDF with its digest, mark the export ready and tell whoever asked for it."""
    export.file.save(f"{export.verification_code}.pdf", ContentFile(pdf), save=False)
    PortfolioExport.objects.filter(pk=export.pk).update(
        file=export.file.name,
        size=len(pdf),
        pages=pages,
        sha256=hashlib.sha256(pdf).hexdigest(),
        state=ExportState.DONE,
        progress=100,
        stage="Ready",
        finished_at=finished_at,
        last_audit_id=last_audit_id,
    )
    if export.scope == ExportScope.WHOLE:
        # Only a whole export knows every section still in use.
        prune_cache(portfolio.pk, cache_names_in_use)
    notify(
        recipient=export.requested_by,
        message=f"The PDF of {portfolio.learner}'s portfolio is ready.",
        link=reverse("exports:export_detail", args=[export.pk]),
    )


def build_safely(export_id: int) -> None:
    """Build an export once; on failure mark it failed with a message people can act on."""
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
