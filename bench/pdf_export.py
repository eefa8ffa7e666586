"""Benchmark: export a large portfolio to PDF, against headless Chromium printing the same HTML.

Builds a portfolio in a scratch SQLite database and media folder (a qualification of 15 units
and 300 criteria, 150 evidence items, 200 photos of 4000×3000, 10 uploaded PDFs of 5 pages),
exports it with `exports.build.build` in a child process, then re-exports it after one
mapping's commentary changed. Prints pages, seconds, peak memory, PDF size and the ratio of
seconds to Chromium's, with PASS/MISS against the targets: peak memory under 1 GB, PDF under
100 MB, cold export within 4× Chromium's time, re-export within 1× Chromium's cold time.
Sizes are in MB of 1024² bytes.

    .venv/bin/python bench/pdf_export.py            # the full portfolio (several minutes)
    .venv/bin/python bench/pdf_export.py --small    # a quick smoke run
    .venv/bin/python bench/pdf_export.py --profile  # also cProfile each export (slower)

Exits 0 whatever the figures; non-zero only when the export or the benchmark itself fails.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import functools
import hashlib
import html
import io
import json
import multiprocessing
import os
import pstats
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, only bench/ is on the path; the project's packages live one level up.
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from PIL import Image

    from accounts.models import User
    from exports.models import PortfolioExport
    from portfolio.models import Evidence, Mapping, Portfolio
    from qualifications.models import AssessmentCriterion, Unit

CHROMIUM = "/usr/bin/chromium"
MB = 1024 * 1024
PEAK_MEMORY_TARGET_MB = 1024
PDF_SIZE_TARGET_MB = 100
COLD_RATIO_TARGET = 4.0
REEXPORT_RATIO_TARGET = 1.0
DISTINCT_BACKDROPS = 6


@dataclass(frozen=True)
class Size:
    label: str
    units: int
    outcomes_per_unit: int
    criteria_per_outcome: int
    evidence: int
    photos: int
    photo_px: tuple[int, int]
    pdfs: int
    pdf_pages: int

    @property
    def criteria(self) -> int:
        return self.units * self.outcomes_per_unit * self.criteria_per_outcome

    def describe(self) -> str:
        width, height = self.photo_px
        return (
            f"{self.units} units, {self.criteria} criteria, {self.evidence} evidence items, "
            f"{self.photos} photos of {width}×{height}, {self.pdfs} PDFs of {self.pdf_pages} pages"
        )


FULL = Size("full", 15, 4, 5, 150, 200, (4000, 3000), 10, 5)
SMALL = Size("small", 2, 2, 5, 10, 5, (1200, 900), 1, 5)


# Setting up Django -------------------------------------------------------------------------------


def setup_django(var_dir: Path) -> None:
    os.environ["VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    # A scratch SQLite database and media folder inside VAR_DIR, whatever the shell says.
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("MEDIA_ROOT", None)
    # Without DATABASE_URL the settings only load in DEBUG mode.
    os.environ["DEBUG"] = "true"
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# Words -------------------------------------------------------------------------------------------

SUBJECTS = [
    "I",
    "The client",
    "My supervisor",
    "The team",
    "The care plan",
    "The risk assessment",
    "The family",
    "A colleague",
    "The shift leader",
    "The handover",
]
VERBS = [
    "checked",
    "explained",
    "recorded",
    "reviewed",
    "agreed",
    "discussed",
    "supported",
    "observed",
    "updated",
    "reported",
    "followed",
    "prepared",
]
OBJECTS = [
    "the moving and handling procedure",
    "the medication record",
    "the client's preferences for personal care",
    "the infection control checklist",
    "the safeguarding policy",
    "the fluid and nutrition chart",
    "the hoist and sling before use",
    "the consent given for the activity",
    "the incident in the daily log",
    "how the equipment should be cleaned",
    "the communication needs of the client",
    "the escalation route for concerns",
]
ENDINGS = [
    "before starting the task",
    "with the client present",
    "as the policy requires",
    "and signed the record",
    "during the morning shift",
    "so the next shift knew what had changed",
    "in line with the care plan",
    "and asked for feedback afterwards",
    "to keep the client safe",
    "with my assessor watching",
]
TOPICS = [
    "Supporting a client to move safely",
    "Administering medication",
    "Personal care routine",
    "Infection prevention",
    "Safeguarding concern raised",
    "Team handover",
    "Mealtime support",
    "Person-centred care review",
    "Record keeping audit",
    "Equipment checks",
    "Communication with family",
    "Reflection on a difficult shift",
]


def sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(ENDINGS)}."
    )


def paragraphs(rng: random.Random, count: int, sentences: tuple[int, int] = (4, 7)) -> str:
    return "\n\n".join(
        " ".join(sentence(rng) for _ in range(rng.randint(*sentences))) for _ in range(count)
    )


# Generated files ---------------------------------------------------------------------------------


@functools.cache
def backdrop(seed: int, width: int, height: int) -> Image.Image:
    """A blurred colour field with shapes, lines and grain: compresses about as a photo does."""
    from PIL import Image, ImageChops, ImageDraw, ImageFilter

    rng = random.Random(seed)
    small = (max(width // 10, 40), max(height // 10, 30))
    linear = Image.linear_gradient("L").resize(small).rotate(rng.randint(0, 359))
    radial = Image.radial_gradient("L").resize(small)
    # A little randomness in each tone curve leaves ripples, as textured surfaces do.
    curves = [
        [int(v * scale + base + rng.randint(0, 40)) for v in range(256)]
        for scale, base in [(0.6, 40), (0.5, 30), (0.4, 50)]
    ]
    red = linear.point(curves[0])
    green = radial.point(curves[1])
    blue = ImageChops.blend(linear, radial, 0.5).point(curves[2])
    picture = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(picture)
    for _ in range(25):
        x, y, side = (
            rng.randint(0, small[0]),
            rng.randint(0, small[1]),
            rng.randint(4, small[0] // 3),
        )
        box = [x, y, x + side, y + side * rng.uniform(0.4, 1.4)]
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    picture = picture.filter(ImageFilter.GaussianBlur(1.5)).resize((width, height), Image.BICUBIC)
    draw = ImageDraw.Draw(picture)
    reach = width // 5
    for _ in range(60):
        x, y = rng.randint(0, width), rng.randint(0, height)
        end = (x + rng.randint(-reach, reach), y + rng.randint(-reach, reach))
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        draw.line([(x, y), end], fill=colour, width=rng.randint(2, max(3, width // 330)))
    grain = Image.effect_noise((width, height), 24).convert("RGB")
    return Image.blend(picture, grain, 0.12)


def make_photo(number: int, width: int, height: int) -> tuple[bytes, bytes, bytes]:
    """A distinct photo (original as cleaned at upload, thumbnail, print rendition).

    Each photo differs from the others, so neither renderer can share one image between pages.
    """
    from django.core.files.base import ContentFile
    from PIL import ImageDraw, ImageFont

    from portfolio.uploads import make_renditions

    picture = backdrop(number % DISTINCT_BACKDROPS, width, height).copy()
    rng = random.Random(number)
    draw = ImageDraw.Draw(picture)
    for _ in range(6):
        x, y, side = (
            rng.randint(0, width),
            rng.randint(0, height),
            rng.randint(width // 40, width // 8),
        )
        draw.ellipse([x, y, x + side, y + side], fill=tuple(rng.randint(0, 255) for _ in range(3)))
    font = ImageFont.load_default(size=height // 12)
    draw.text((width // 20, height // 20), f"IMG {number:04d}", fill=(255, 255, 255), font=font)
    buffer = io.BytesIO()
    # The quality the upload check re-encodes photos at.
    picture.save(buffer, format="JPEG", quality=92)
    original = buffer.getvalue()
    thumbnail, print_rendition = make_renditions(ContentFile(original))
    return original, thumbnail.read(), print_rendition.read()


def make_photos(count: int, width: int, height: int) -> Iterator[tuple[bytes, bytes, bytes]]:
    from django.db import connections

    # Forked workers must not share the parent's SQLite connection.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        yield from pool.map(
            make_photo, range(1, count + 1), [width] * count, [height] * count, chunksize=4
        )


def make_uploaded_pdf(number: int, pages: int, rng: random.Random) -> bytes:
    from weasyprint import HTML

    body = "".join(
        f'<section style="break-after: page"><h1>Witness statement {number}, page {page}</h1>'
        + "".join(f"<p>{paragraphs(rng, 1, (5, 8))}</p>" for _ in range(6))
        + "</section>"
        for page in range(1, pages + 1)
    )
    return HTML(string=f"<html><body>{body}</body></html>").write_pdf()


# The portfolio -----------------------------------------------------------------------------------


@dataclass
class Cast:
    learner: User
    assessor: User
    iqa: User


def make_people() -> Cast:
    from accounts.models import Centre, Membership, Role, User

    centre = Centre.objects.create(name="Benchmark Training Centre")
    people = {}
    for role, name in [
        (Role.LEARNER, "Alex Learner"),
        (Role.ASSESSOR, "Sam Assessor"),
        (Role.IQA, "Jo Quality"),
    ]:
        user = User(email=f"{role}@example.org", full_name=name, centre=centre)
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, role=role)
        people[role] = user
    return Cast(people[Role.LEARNER], people[Role.ASSESSOR], people[Role.IQA])


def make_qualification(size: Size, rng: random.Random) -> tuple[Any, list[AssessmentCriterion]]:
    from qualifications.models import (
        AssessmentCriterion,
        AwardingBody,
        LearningOutcome,
        Qualification,
        QualificationUnit,
        Unit,
    )

    body = AwardingBody.objects.create(code="BENCH", name="Benchmark Awarding Body")
    qualification = Qualification.objects.create(
        reference="BENCH-L3-DIP",
        awarding_body=body,
        title="Level 3 Diploma in Adult Care (benchmark)",
        level=3,
        framework="RQF",
        description=paragraphs(rng, 2),
    )
    units = Unit.objects.bulk_create(
        Unit(
            reference=f"BENCH-{number:03d}",
            title=f"{rng.choice(TOPICS)} in adult care settings ({number})",
            level=3,
            guided_learning_hours=rng.randint(10, 40),
            overview=paragraphs(rng, 1),
        )
        for number in range(1, size.units + 1)
    )
    QualificationUnit.objects.bulk_create(
        QualificationUnit(qualification=qualification, unit=unit, position=position)
        for position, unit in enumerate(units, start=1)
    )
    outcomes = LearningOutcome.objects.bulk_create(
        LearningOutcome(unit=unit, number=number, text=f"Understand {rng.choice(OBJECTS)}")
        for unit in units
        for number in range(1, size.outcomes_per_unit + 1)
    )
    criteria = AssessmentCriterion.objects.bulk_create(
        AssessmentCriterion(
            unit=outcome.unit,
            outcome=outcome,
            number=f"{outcome.number}.{position}",
            position=position,
            text=f"{rng.choice(['Explain', 'Describe', 'Demonstrate', 'Analyse'])} "
            f"{rng.choice(OBJECTS)} {rng.choice(ENDINGS)}",
        )
        for outcome in outcomes
        for position in range(1, size.criteria_per_outcome + 1)
    )
    return qualification, criteria


def make_portfolio(cast: Cast, qualification: Any) -> Portfolio:
    from portfolio.models import Portfolio

    return Portfolio.objects.create(
        learner=cast.learner,
        centre=cast.learner.centre,
        qualification=qualification,
        assessor=cast.assessor,
        start_date=datetime.date(2025, 1, 6),
        planned_end_date=datetime.date(2026, 7, 31),
    )


def make_evidence(
    portfolio: Portfolio, cast: Cast, size: Size, rng: random.Random
) -> list[Evidence]:
    from portfolio.models import Evidence, EvidenceType

    start = datetime.date(2025, 1, 13)
    return Evidence.objects.bulk_create(
        Evidence(
            portfolio=portfolio,
            type=rng.choice(EvidenceType.values),
            title=f"{rng.choice(TOPICS)} ({number})",
            activity_date=start + datetime.timedelta(days=2 * number),
            description=paragraphs(rng, rng.randint(1, 2)),
            created_by=cast.learner,
        )
        for number in range(1, size.evidence + 1)
    )


def make_mappings(
    evidence: list[Evidence], criteria: list[AssessmentCriterion], rng: random.Random
) -> list[Mapping]:
    """About three criteria per item, spread across units, every criterion covered once first."""
    from django.utils import timezone

    from portfolio.models import Mapping, MappingStatus

    order = criteria[:]
    rng.shuffle(order)
    statuses = [
        MappingStatus.ACCEPTED,
        MappingStatus.SUBMITTED,
        MappingStatus.REFERRED,
        MappingStatus.DRAFT,
    ]
    now = timezone.now()
    rows = []
    for number, item in enumerate(evidence):
        chosen = {order[(3 * number + k) % len(order)] for k in range(3)}
        for criterion in chosen:
            status = rng.choices(statuses, weights=[55, 15, 15, 15])[0]
            rows.append(
                Mapping(
                    evidence=item,
                    criterion=criterion,
                    commentary=paragraphs(rng, rng.randint(1, 2)),
                    status=status,
                    submitted_at=None if status == MappingStatus.DRAFT else now,
                )
            )
    return Mapping.objects.bulk_create(rows)


def make_decisions(mappings: list[Mapping], cast: Cast, rng: random.Random) -> list[Any]:
    from django.utils import timezone

    from assessment.models import Decision, IqaAgreement, IqaReview, Outcome
    from portfolio.models import MappingStatus

    decided_at = timezone.now() - datetime.timedelta(days=60)
    rows = []
    for mapping in mappings:
        outcomes = []
        if mapping.status == MappingStatus.REFERRED:
            outcomes = [Outcome.REFERRED]
        elif mapping.status == MappingStatus.ACCEPTED:
            outcomes = (
                [Outcome.REFERRED, Outcome.ACCEPTED] if rng.random() < 0.2 else [Outcome.ACCEPTED]
            )
        for outcome in outcomes:
            decided_at += datetime.timedelta(minutes=37)
            feedback = (
                ""
                if outcome == Outcome.ACCEPTED and rng.random() < 0.5
                else paragraphs(rng, 1, (2, 4))
            )
            rows.append(
                Decision(
                    mapping=mapping,
                    outcome=outcome,
                    feedback=feedback,
                    decided_by=cast.assessor,
                    decided_at=decided_at,
                )
            )
    decisions = Decision.objects.bulk_create(rows)
    accepted = [d for d in decisions if d.outcome == Outcome.ACCEPTED]
    IqaReview.objects.bulk_create(
        IqaReview(
            decision=decision,
            reviewer=cast.iqa,
            verdict=IqaAgreement.AGREE if index % 4 else IqaAgreement.DISAGREE,
            feedback=paragraphs(rng, 1, (1, 3)) if index % 2 == 0 else "",
        )
        for index, decision in enumerate(accepted[::10])
    )
    return decisions


def make_unit_records(
    portfolio: Portfolio, units: list[Unit], cast: Cast, rng: random.Random
) -> None:
    from assessment.models import UnitDeclaration, UnitSignOff

    declared = units[: max(1, len(units) // 2)]
    UnitDeclaration.objects.bulk_create(
        UnitDeclaration(
            portfolio=portfolio,
            unit=unit,
            declared_by=cast.learner,
            wording=paragraphs(rng, 1, (2, 3)),
        )
        for unit in declared
    )
    UnitSignOff.objects.bulk_create(
        UnitSignOff(
            portfolio=portfolio,
            unit=unit,
            signed_by=cast.assessor,
            wording=paragraphs(rng, 1, (2, 3)),
        )
        for unit in declared[: max(1, len(declared) // 2)]
    )


def photo_counts(evidence: list[Evidence], photos: int) -> list[int]:
    """Every fifth item (a reflective account, say) has no photo; the rest share them out."""
    with_photos = [i for i in range(len(evidence)) if i % 5 != 4] or list(range(len(evidence)))
    counts = [0] * len(evidence)
    for n in range(photos):
        counts[with_photos[n % len(with_photos)]] += 1
    return counts


def make_files(evidence: list[Evidence], cast: Cast, size: Size, rng: random.Random) -> list[Any]:
    from django.core.files.base import ContentFile

    from portfolio.models import EvidenceFile, FileKind

    width, height = size.photo_px
    rows: list[EvidenceFile] = []

    def add(
        item: Evidence, name: str, kind: str, content_type: str, data: bytes, **extra: Any
    ) -> EvidenceFile:
        row = EvidenceFile(
            evidence=item,
            original_name=name,
            kind=kind,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=cast.learner,
            **extra,
        )
        suffix = ".jpg" if kind == FileKind.IMAGE else ".pdf"
        row.file.save(f"upload{suffix}", ContentFile(data), save=False)
        rows.append(row)
        return row

    owners = [
        item
        for item, count in zip(evidence, photo_counts(evidence, size.photos), strict=True)
        for _ in range(count)
    ]
    photos = make_photos(size.photos, width, height)
    for number, (item, photo) in enumerate(zip(owners, photos, strict=True), start=1):
        original, thumbnail, print_rendition = photo
        row = add(
            item,
            f"IMG_{number:04d}.jpg",
            FileKind.IMAGE,
            "image/jpeg",
            original,
            width=width,
            height=height,
        )
        # Named as the rendition task names them.
        stem = row.file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        row.thumbnail.save(f"{stem}-thumb.jpg", ContentFile(thumbnail), save=False)
        row.print_rendition.save(f"{stem}-print.jpg", ContentFile(print_rendition), save=False)
    without_photos = [item for i, item in enumerate(evidence) if i % 5 == 4] or evidence
    for number in range(1, size.pdfs + 1):
        item = without_photos[(number - 1) % len(without_photos)]
        data = make_uploaded_pdf(number, size.pdf_pages, rng)
        add(item, f"Witness statement {number}.pdf", FileKind.PDF, "application/pdf", data)
    return EvidenceFile.objects.bulk_create(rows)


def make_audit(portfolio: Portfolio, cast: Cast, objects: list[tuple[str, Any, User]]) -> None:
    from django.utils import timezone

    from portfolio.models import AuditEntry

    at = timezone.now() - datetime.timedelta(days=30)
    rows = []
    for action, obj, actor in objects:
        at += datetime.timedelta(seconds=97)
        rows.append(
            AuditEntry(
                at=at,
                actor=actor,
                action=action,
                portfolio=portfolio,
                object_type=obj._meta.label,
                object_id=str(obj.pk),
                object_repr=str(obj)[:300],
                changes={"after": {"id": obj.pk}},
            )
        )
    AuditEntry.objects.bulk_create(rows)


def build_portfolio(size: Size) -> tuple[Portfolio, Cast]:
    from django.db import transaction

    rng = random.Random(2025)
    cast = make_people()
    with transaction.atomic():
        qualification, criteria = make_qualification(size, rng)
        portfolio = make_portfolio(cast, qualification)
        evidence = make_evidence(portfolio, cast, size, rng)
        mappings = make_mappings(evidence, criteria, rng)
        decisions = make_decisions(mappings, cast, rng)
        units = list(qualification.units.order_by("reference"))
        make_unit_records(portfolio, units, cast, rng)
    files = make_files(evidence, cast, size, rng)
    make_audit(
        portfolio,
        cast,
        [("evidence.create", item, cast.learner) for item in evidence]
        + [("evidence_file.add", row, cast.learner) for row in files]
        + [("mapping.create", mapping, cast.learner) for mapping in mappings]
        + [("mapping.decide", decision, cast.assessor) for decision in decisions],
    )
    return portfolio, cast


def new_export(portfolio: Portfolio, cast: Cast) -> PortfolioExport:
    from exports.models import ExportScope, PortfolioExport
    from exports.services import new_verification_code

    return PortfolioExport.objects.create(
        portfolio=portfolio,
        requested_by=cast.learner,
        scope=ExportScope.WHOLE,
        verification_code=new_verification_code(),
    )


def change_one_mapping(portfolio: Portfolio, cast: Cast) -> None:
    """What a learner does between exports: revise a draft or referred mapping's commentary."""
    from django.utils import timezone

    from portfolio.models import AuditEntry, Mapping, MappingStatus

    candidates = Mapping.objects.filter(
        evidence__portfolio=portfolio, status__in=[MappingStatus.DRAFT, MappingStatus.REFERRED]
    ).order_by("evidence__activity_date", "pk")
    mapping = candidates[candidates.count() // 2]
    revised = f"{mapping.commentary}\n\nRevised after feedback: I added what I checked first."
    Mapping.objects.filter(pk=mapping.pk).update(commentary=revised, updated_at=timezone.now())
    AuditEntry.objects.create(
        actor=cast.learner,
        action="mapping.update",
        portfolio=portfolio,
        object_type=Mapping._meta.label,
        object_id=str(mapping.pk),
        object_repr=str(mapping)[:300],
        changes={"before": {"commentary": mapping.commentary}, "after": {"commentary": revised}},
    )


# The export, in a child process ------------------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak resident memory, in MB.

    Not ru_maxrss: a child that subprocess starts with vfork and exec inherits its parent's
    high-water mark there (RUSAGE_CHILDREN too), so it would report the data builder's memory.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class Instruments:
    """Counts and times the export's expensive calls, so a slow run says where time went."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds
        self.calls[name] = self.calls.get(name, 0) + 1

    def wrap(self, func: Callable[..., Any], name: Callable[..., str]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            result = func(*args, **kwargs)
            self.add(name(args, result), time.perf_counter() - start)
            return result

        return timed

    def install(self) -> None:
        from exports import build
        from exports.pdf import content, front, sections, stamp

        content.gather = self.wrap(content.gather, lambda args, result: "gather")
        sections.cached_section = self.wrap(
            sections.cached_section,
            lambda args, result: "section from cache" if result[1] else f"render {args[2]}",
        )
        for module in (sections, front):
            module.render_pdf = self.wrap(
                module.render_pdf, lambda args, result: f"render {args[0]}"
            )
        build.assemble = self.wrap(build.assemble, lambda args, result: "assemble (pypdf)")
        instruments = self

        class TimedHTML(stamp.HTML):
            def write_pdf(self, *args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                result = super().write_pdf(*args, **kwargs)
                instruments.add("render page furniture overlay", time.perf_counter() - start)
                return result

        stamp.HTML = TimedHTML


def record_section_html(captured: list[tuple[str, str]]) -> None:
    """Keep the HTML of every section WeasyPrint renders, for Chromium to print the same."""
    from exports.pdf import render

    original = render.render_to_string

    def recording(template: str, *args: Any, **kwargs: Any) -> str:
        html = original(template, *args, **kwargs)
        captured.append((template, html))
        return html

    render.render_to_string = recording


def run_export(export_id: int, profile_to: Path | None, html_to: Path | None) -> None:
    """The child process: build one export and print its figures as JSON."""
    from exports import build as exports
    from exports.models import PortfolioExport

    instruments = Instruments()
    instruments.install()
    captured: list[tuple[str, str]] = []
    if html_to:
        record_section_html(captured)
    export = PortfolioExport.objects.select_related("portfolio", "requested_by", "unit").get(
        pk=export_id
    )
    before_mb = peak_rss_mb()
    profiler = cProfile.Profile() if profile_to else None
    start = time.perf_counter()
    if profiler:
        profiler.runcall(exports.build, export)
    else:
        exports.build(export)
    seconds = time.perf_counter() - start
    peak_mb = peak_rss_mb()
    if profiler and profile_to:
        profiler.dump_stats(profile_to)
    if html_to:
        html_to.write_text(json.dumps(captured), encoding="utf-8")
    export.refresh_from_db()
    if export.state != "done" or not export.pages or not export.file:
        raise SystemExit(f"Export {export_id} did not finish: state {export.state!r}")
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak_mb,
                "before_mb": before_mb,
                "pages": export.pages,
                "size": export.size,
                "timings": instruments.seconds,
                "calls": instruments.calls,
            }
        )
    )


@dataclass
class ExportRun:
    seconds: float
    wall: float
    peak_mb: float
    before_mb: float
    pages: int
    size: int
    timings: dict[str, float]
    calls: dict[str, int]


def export_in_child(export_id: int, profile_to: Path | None, html_to: Path | None) -> ExportRun:
    command = [sys.executable, str(Path(__file__).resolve()), "--export", str(export_id)]
    if profile_to:
        command += ["--profile-to", str(profile_to)]
    if html_to:
        command += ["--html-to", str(html_to)]
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.stdout.write(result.stdout)
        raise SystemExit(f"The export child failed with exit status {result.returncode}.")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return ExportRun(wall=wall, **figures)


def print_profile(path: Path, limit: int = 30) -> None:
    print(f"\ncProfile of {path.name}, by own time:")
    pstats.Stats(str(path)).sort_stats("tottime").print_stats(limit)
    print(f"cProfile of {path.name}, by cumulative time:")
    pstats.Stats(str(path)).sort_stats("cumulative").print_stats(limit)


# Chromium ----------------------------------------------------------------------------------------


def find_chromium() -> str | None:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    return shutil.which("chromium")


def print_renditions(portfolio: Portfolio) -> dict[int, str]:
    from portfolio.models import EvidenceFile, FileKind

    files = EvidenceFile.objects.filter(evidence__portfolio=portfolio, kind=FileKind.IMAGE)
    return {row.pk: Path(row.print_rendition.path).as_uri() for row in files}


def chromium_document(captured: list[tuple[str, str]], images: dict[int, str]) -> str:
    """The cold export's sections as one document, each starting a page as in the PDF.

    The front matter is rendered last (it needs the other sections' page numbers) and
    re-rendered until its own length settles; its final rendering goes first here.
    """
    from exports.pdf.fetcher import STYLESHEET

    fronts = [text for template, text in captured if template.endswith("/front.html")]
    if not fronts or len(fronts) == len(captured):
        raise SystemExit("The export rendered no front matter or no sections: nothing to print.")
    sections = [fronts[-1]] + [
        text for template, text in captured if not template.endswith("/front.html")
    ]
    bodies = [re.search(r"<body[^>]*>(.*)</body>", text, re.DOTALL).group(1) for text in sections]
    styles = dict.fromkeys(
        style for text in sections for style in re.findall(r"<style>.*?</style>", text, re.DOTALL)
    )
    joined = "\n".join(
        f'<div class="section-start">{body}</div>' if index else body
        for index, body in enumerate(bodies)
    )
    joined = re.sub(r"export:image/(\d+)", lambda match: images[int(match.group(1))], joined)
    title = re.search(r"<title>(.*?)</title>", sections[0], re.DOTALL)
    header = html.unescape(title.group(1)) if title else ""
    quoted = header.replace("\\", "\\\\").replace('"', '\\"')
    # The export stamps a header and "Page n of m" on every page; Chromium draws the same.
    furniture = (
        f'@page {{ @top-center {{ content: "{quoted}"; font-size: 8pt; }}'
        ' @bottom-center { content: "Page " counter(page) " of " counter(pages);'
        " font-size: 8pt; } }"
    )
    return (
        '<!doctype html>\n<html lang="en-GB">\n<head><meta charset="utf-8">'
        f"<title>{html.escape(header)}</title>"
        f'<link rel="stylesheet" href="{STYLESHEET.as_uri()}">{"".join(styles)}'
        f"<style>{furniture}</style></head>\n"
        f"<body>{joined}</body>\n</html>\n"
    )


@dataclass
class ChromiumRun:
    seconds: float
    pages: int
    size: int


def print_with_chromium(chromium: str, document: str, folder: Path) -> ChromiumRun:
    from pypdf import PdfReader

    page = folder / "portfolio.html"
    page.write_text(document, encoding="utf-8")
    output = folder / "portfolio.pdf"
    command = [
        chromium,
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={folder / 'profile'}",
        "--no-pdf-header-footer",
        f"--print-to-pdf={output}",
        page.as_uri(),
    ]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False)
    seconds = time.perf_counter() - start
    if result.returncode != 0 or not output.exists():
        sys.stderr.write(result.stderr[-4000:])
        raise SystemExit(f"Chromium failed to print the portfolio (exit {result.returncode}).")
    return ChromiumRun(seconds, len(PdfReader(output).pages), output.stat().st_size)


# Report ------------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_table(cold: ExportRun, again: ExportRun, chromium: ChromiumRun | None) -> None:
    rows: list[tuple[str, str, str, str]] = [
        ("pages", f"{cold.pages}", "", ""),
        ("export seconds (cold)", f"{cold.seconds:.1f}", "", ""),
        ("  child process wall-clock", f"{cold.wall:.1f}", "", ""),
        (
            "peak memory MB (cold)",
            f"{cold.peak_mb:.0f}",
            f"< {PEAK_MEMORY_TARGET_MB}",
            verdict(cold.peak_mb < PEAK_MEMORY_TARGET_MB),
        ),
        ("  of which before build()", f"{cold.before_mb:.0f}", "", ""),
        (
            "PDF MB",
            f"{cold.size / MB:.1f}",
            f"< {PDF_SIZE_TARGET_MB}",
            verdict(cold.size / MB < PDF_SIZE_TARGET_MB),
        ),
    ]
    if chromium:
        cold_ratio = cold.seconds / chromium.seconds
        again_ratio = again.seconds / chromium.seconds
        rows += [
            ("Chromium seconds", f"{chromium.seconds:.1f}", "", ""),
            ("  Chromium pages / PDF MB", f"{chromium.pages} / {chromium.size / MB:.1f}", "", ""),
            (
                "ratio cold / Chromium",
                f"{cold_ratio:.2f}",
                f"≤ {COLD_RATIO_TARGET:g}",
                verdict(cold_ratio <= COLD_RATIO_TARGET),
            ),
        ]
    rows += [
        ("re-export seconds", f"{again.seconds:.1f}", "", ""),
        ("  child process wall-clock", f"{again.wall:.1f}", "", ""),
        (
            "peak memory MB (re-export)",
            f"{again.peak_mb:.0f}",
            f"< {PEAK_MEMORY_TARGET_MB}",
            verdict(again.peak_mb < PEAK_MEMORY_TARGET_MB),
        ),
    ]
    if chromium:
        rows.append(
            (
                "ratio re-export / Chromium cold",
                f"{again_ratio:.2f}",
                f"≤ {REEXPORT_RATIO_TARGET:g}",
                verdict(again_ratio <= REEXPORT_RATIO_TARGET),
            )
        )
    print(f"\n{'measure':<34}{'value':>12}  {'target':<8}  result")
    for name, value, target, result in rows:
        print(f"{name:<34}{value:>12}  {target:<8}  {result}".rstrip())


def print_breakdown(label: str, run: ExportRun) -> None:
    print(f"\nWhere the {label}'s {run.seconds:.1f} s went:")
    for name, seconds in sorted(run.timings.items(), key=lambda item: -item[1]):
        print(f"  {seconds:7.1f} s  {run.calls[name]:4d}×  {name}")
    rest = run.seconds - sum(run.timings.values())
    print(f"  {rest:7.1f} s         everything else (page counting, appending, saving, queries)")


# Main --------------------------------------------------------------------------------------------


def benchmark(size: Size, var_dir: Path, profile: bool) -> None:
    from django.db import connections

    print(f"PDF export benchmark ({size.label}): {size.describe()}")
    print(f"Scratch folder {var_dir}")
    start = time.perf_counter()
    migrate()
    portfolio, cast = build_portfolio(size)
    print(f"Built the portfolio in {time.perf_counter() - start:.1f} s (not part of the figures)")
    chromium_folder = var_dir / "chromium"
    chromium_folder.mkdir()
    captured_html = chromium_folder / "sections.json"
    cold_export = new_export(portfolio, cast)
    connections.close_all()
    cold = export_in_child(
        cold_export.pk, var_dir / "cold.pstats" if profile else None, captured_html
    )
    print(f"Cold export: {cold.pages} pages in {cold.seconds:.1f} s")

    chromium_path = find_chromium()
    chromium = None
    if chromium_path is None:
        print("Chromium not found: ratio skipped")
    else:
        captured = json.loads(captured_html.read_text(encoding="utf-8"))
        document = chromium_document(captured, print_renditions(portfolio))
        chromium = print_with_chromium(chromium_path, document, chromium_folder)
        print(f"Chromium: {chromium.pages} pages in {chromium.seconds:.1f} s")

    change_one_mapping(portfolio, cast)
    second_export = new_export(portfolio, cast)
    connections.close_all()
    again = export_in_child(second_export.pk, var_dir / "again.pstats" if profile else None, None)
    print(f"Re-export: {again.pages} pages in {again.seconds:.1f} s")
    if again.pages != cold.pages:
        print(f"Note: the re-export has {again.pages} pages, the cold export {cold.pages}.")

    print_table(cold, again, chromium)
    print_breakdown("cold export", cold)
    print_breakdown("re-export", again)
    if profile:
        print("\n(cProfile was on: the seconds above are inflated by profiling.)")
        print_profile(var_dir / "cold.pstats")
        print_profile(var_dir / "again.pstats")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="a small portfolio, for a smoke run")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--profile", action="store_true", help="cProfile each export")
    parser.add_argument("--export", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--html-to", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.export is not None:
        # The child: the parent's environment already names the scratch VAR_DIR.
        setup_django(Path(os.environ["VAR_DIR"]))
        run_export(args.export, args.profile_to, args.html_to)
        return
    var_dir = Path(tempfile.mkdtemp(prefix="pdf-export-bench-"))
    try:
        setup_django(var_dir)
        benchmark(SMALL if args.small else FULL, var_dir, args.profile)
    finally:
        if args.keep:
            print(f"\nKept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
