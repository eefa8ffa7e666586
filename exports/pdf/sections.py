"""The body of the export, in document order: units, evidence, appended PDFs and the audit
timeline, each section reused from the cache while what it shows is unchanged."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assessment.progress import UnitProgress
from exports.models import ExportScope
from exports.pdf import content as export_content
from exports.pdf.appendix import AppendixUnreadable, page_count, prepare
from exports.pdf.assemble import Part
from exports.pdf.content import EvidenceSection, ExportContent
from exports.pdf.fetcher import ExportFetcher
from exports.pdf.render import Section, cached_sections
from portfolio.audit import describe
from portfolio.models import EvidenceFile

# The timeline only grows: cached in fixed chunks, a change re-renders the last one.
AUDIT_CHUNK = 150

# The bookmark groups the sections below are filed under, with their titles.
BOOKMARK_GROUPS = {"units": "Units", "evidence": "Evidence", "appendix": "Appended PDFs"}


@dataclass
class Wanted:
    """A section to render, what the progress bar says meanwhile, and how its PDF becomes a
    part of the document."""

    section: Section
    label: str
    make: Callable[[bytes], Part]


# A file with the number of the evidence it belongs to, as the document shows it (E1, E2…).
NumberedFile = tuple[EvidenceFile, int]


@dataclass
class RenderedSections:
    """The parts after the front matter, and what the front matter and the store step need."""

    parts: list[Part] = field(default_factory=list)
    cache_names_in_use: set[str] = field(default_factory=set)
    appended: list[NumberedFile] = field(default_factory=list)
    attachments: list[NumberedFile] = field(default_factory=list)
    # Files attached inside appended PDFs, carried as the portfolio's own: (name, content).
    embedded: list[tuple[str, bytes]] = field(default_factory=list)
    # The parts asked for beside the body (the front matter's that need no page numbers).
    beside: list[Part] = field(default_factory=list)

    def add_cached(self, part: Part, cache_name: str) -> None:
        """A part that came from (or went into) the section cache under cache_name."""
        self.parts.append(part)
        self.cache_names_in_use.add(cache_name)


def render_sections(
    content: ExportContent,
    fetcher: ExportFetcher,
    *,
    section_done: Callable[[str], None],
    beside: Sequence[Wanted] = (),
) -> RenderedSections:
    """Every section after the front matter, telling section_done as each one is finished;
    and the parts `beside` asks for (returned in `beside`).

    The units, evidence, unmapped evidence, appended PDFs' headings, audit timeline and the
    sections beside them are asked for together, so that whatever is not in the cache is
    rendered in as few WeasyPrint documents as possible, in parallel where allowed."""
    rendered = RenderedSections(
        attachments=[
            (evidence_file, section.number)
            for section in content.evidence
            for evidence_file in section.attachments
        ]
    )
    # Each section to render, with the part it becomes once rendered.
    wanted: list[Wanted] = []
    for number, unit in enumerate(content.units, start=1):
        wanted.append(_unit_section(content, unit, number))
    for section in content.evidence:
        wanted.append(_evidence_section(content, section))
    if content.whole:
        wanted.append(_unmapped_section(content))
    audit_from = len(wanted)
    if content.export.scope == ExportScope.WHOLE:
        for start in range(0, len(content.audit), AUDIT_CHUNK):
            wanted.append(_audit_chunk(content, start))
    headings_from = len(wanted)
    appended = [(section, file) for section in content.evidence for file in section.pdfs]
    wanted += [_appendix_heading(content, section, file) for section, file in appended]
    beside_from = len(wanted)
    wanted += beside
    labels = {id(item.section): item.label for item in wanted}
    results = cached_sections(
        content.portfolio.pk,
        [item.section for item in wanted],
        fetcher,
        done=lambda section: section_done(labels[id(section)]),
    )
    parts = [item.make(result.pdf) for item, result in zip(wanted, results, strict=True)]
    rendered.cache_names_in_use.update(result.name for result in results)
    rendered.parts.extend(parts[:audit_from])
    for (section, evidence_file), heading in zip(
        appended, parts[headings_from:beside_from], strict=True
    ):
        rendered.parts.append(_appended_pdf(section, evidence_file, heading, rendered))
        rendered.appended.append((evidence_file, section.number))
    section_done("Appended PDFs")
    rendered.parts.append(_audit_intro(content, rendered, fetcher))
    rendered.parts.extend(parts[audit_from:headings_from])
    rendered.beside = parts[beside_from:]
    section_done("Audit timeline")
    return rendered


def _unit_section(content: ExportContent, unit: UnitProgress, number: int) -> Wanted:
    """A unit's criteria, declarations, sign-offs and IQA reviews."""
    unit_id = unit.unit.pk
    declarations = [d for d in content.declarations if d.unit_id == unit_id]
    sign_offs = [s for s in content.sign_offs if s.unit_id == unit_id]
    reviews = [r for r in content.iqa_reviews if r.decision.mapping.criterion.unit_id == unit_id]
    fingerprint = export_content.fingerprint(
        "unit",
        content.header,
        unit_id,
        unit.mandatory,
        [
            unit.unit.ofqual_reference,
            unit.unit.unit_number,
            unit.unit.level,
            unit.unit.credits,
            unit.unit.guided_learning_hours,
        ],
        [
            (
                c.criterion.pk,
                c.criterion.text,
                c.criterion.grade,
                c.status,
                [m.pk for m in c.mappings],
            )
            for c in unit.criteria
        ],
        [(d.pk, d.wording, d.declared_at) for d in declarations],
        [(s.pk, s.wording, s.signed_at, s.revoked_at, s.revoke_reason) for s in sign_offs],
        [(r.pk, r.verdict, r.feedback) for r in reviews],
        [(e.evidence.pk, e.evidence.title) for e in content.evidence],
    )
    section = Section(
        fingerprint,
        "exports/pdf/unit.html",
        content.template_context(
            unit=unit,
            number=number,
            declarations=declarations,
            sign_offs=sign_offs,
            reviews=reviews,
        ),
    )
    bookmark = f"Unit {unit.unit.reference}: {unit.unit.title}"
    return Wanted(
        section,
        f"Unit {unit.unit.reference}",
        lambda pdf: Part(f"unit-{unit_id}", pdf, bookmark=bookmark, group="units"),
    )


def _evidence_section(content: ExportContent, section: EvidenceSection) -> Wanted:
    """One piece of evidence with its images and mappings (cached under its fingerprint)."""
    number, key = section.number, f"evidence-{section.evidence.pk}"
    bookmark = f"E{number}: {section.evidence.title}"
    return Wanted(
        Section(
            section.fingerprint,
            "exports/pdf/evidence.html",
            content.template_context(section=section, number=number),
        ),
        f"Evidence E{number}",
        lambda pdf: Part(key, pdf, bookmark=bookmark, group="evidence"),
    )


def _unmapped_section(content: ExportContent) -> Wanted:
    """The evidence mapped to no criterion yet, with its files' digests."""
    fingerprint = export_content.fingerprint(
        "unmapped",
        content.header,
        [
            (
                [
                    s.evidence.pk,
                    s.number,
                    s.evidence.type,
                    s.evidence.title,
                    s.evidence.activity_date,
                ],
                [(f.pk, f.sha256, f.original_name, f.kind, f.size) for f in s.files],
            )
            for s in content.unmapped
        ],
    )
    return Wanted(
        Section(fingerprint, "exports/pdf/unmapped.html", content.template_context()),
        "Evidence not yet mapped",
        lambda pdf: Part("unmapped", pdf, bookmark="Evidence not yet mapped"),
    )


def _appendix_heading(
    content: ExportContent, section: EvidenceSection, evidence_file: EvidenceFile
) -> Wanted:
    """The heading on an uploaded PDF's first page, saying whose evidence it is and how many
    pages follow; or, for a file that can no longer be read, a page saying so in its place."""
    with evidence_file.file.open("rb") as handle:
        pages = page_count(handle.read())
    context = content.template_context(
        file=evidence_file, section=section, number=section.number, pages=pages
    )
    template = (
        "exports/pdf/appendix_heading.html"
        if pages is not None
        else "exports/pdf/appendix_unreadable.html"
    )
    key = f"divider-{evidence_file.pk}"
    bookmark = f"Appendix: {evidence_file.original_name}"
    return Wanted(
        Section(None, template, context),
        "Appended PDFs",
        lambda pdf: Part(key, pdf, bookmark=bookmark, group="appendix"),
    )


def _appended_pdf(
    section: EvidenceSection, evidence_file: EvidenceFile, heading: Part, rendered: RenderedSections
) -> Part:
    """An uploaded PDF in full, every page framed on A4 under its heading on the first; its
    bookmarks nested under its own, its attachments carried. An unreadable one is its heading
    alone, which says so."""
    with evidence_file.file.open("rb") as handle:
        uploaded = handle.read()
    try:
        appendix = prepare(uploaded, lambda pages: heading.pdf)
    except AppendixUnreadable:
        # It was readable when uploaded, and its heading was made: storage damaged it since.
        return heading
    rendered.embedded.extend(
        (f"E{section.number} {evidence_file.original_name}, attached: {name}", data)
        for name, data in appendix.attachments
    )
    return Part(
        heading.key,
        appendix.pdf,
        bookmark=heading.bookmark,
        group=heading.group,
        children=appendix.bookmarks,
    )


def files_appendix_title(has_appended: bool) -> str:
    """Appendix A is the uploaded PDFs when there are any; the embedded files come after."""
    return f"Appendix {'B' if has_appended else 'A'}: embedded files"


def _audit_intro(
    content: ExportContent, rendered: RenderedSections, fetcher: ExportFetcher
) -> Part:
    """The appendix listing the files embedded in the document; for a part of the portfolio,
    also where its audit timeline is (the timeline itself opens the first chunk's page)."""
    title = files_appendix_title(bool(rendered.appended))
    context = content.template_context(
        title=title,
        attachments=rendered.attachments,
        carried=[name for name, _ in rendered.embedded],
        whole=content.export.scope == ExportScope.WHOLE,
    )
    [result] = cached_sections(
        content.portfolio.pk, [Section(None, "exports/pdf/audit.html", context)], fetcher
    )
    rendered.cache_names_in_use.add(result.name)
    return Part("files", result.pdf, bookmark=title)


def _audit_chunk(content: ExportContent, start: int) -> Wanted:
    """Up to AUDIT_CHUNK audit entries from start, as a timeline page."""
    lines = [describe(entry) for entry in content.audit[start : start + AUDIT_CHUNK]]
    fingerprint = export_content.fingerprint(
        "audit",
        start == 0,
        content.header,
        [(line.when, line.who, line.what, line.subject, line.details) for line in lines],
    )
    section = Section(
        fingerprint,
        "exports/pdf/audit_chunk.html",
        content.template_context(lines=lines, first=start == 0),
    )
    if start == 0:
        # The timeline's heading is on its first chunk's page, which its bookmark opens.
        return Wanted(
            section, "Audit timeline", lambda pdf: Part("audit", pdf, bookmark="Audit timeline")
        )
    return Wanted(section, "Audit timeline", lambda pdf: Part(f"audit-{start}", pdf))
