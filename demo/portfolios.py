"""Demo portfolios for local use: the demo learner on every qualification, evidence in each
state (not mapped, draft, submitted, referred, accepted).

Built through the services, so the demo's audit trail and files are exactly what a learner's
own actions would leave.
"""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import Centre, User
from assessment import services as assessment_services
from assessment.models import Outcome
from assessment.services import DecisionRequest
from cohorts.models import Cohort
from demo.people import DEMO_CENTRE
from portfolio import services
from portfolio.models import Evidence, EvidenceType, Portfolio
from qualifications.models import AssessmentCriterion, Qualification


def _photo(caption: str, colour: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (1200, 900), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, 1140, 840), outline="white", width=8)
    draw.text((100, 100), caption, fill="white", font_size=48)
    for row in range(5):
        draw.rectangle((100, 220 + row * 120, 1100, 300 + row * 120), fill="white")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    name = caption.lower().replace(" ", "-") + ".jpg"
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _note(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def _criterion(
    qualification: Qualification, unit_reference: str, number: str
) -> AssessmentCriterion:
    return AssessmentCriterion.objects.get(
        unit__reference=unit_reference,
        unit__qualification_links__qualification=qualification,
        number=number,
    )


def _evidence(
    learner: User,
    portfolio: Portfolio,
    *,
    title: str,
    kind: str,
    days_ago: int,
    description: str,
    files: list[SimpleUploadedFile],
    mappings: dict[tuple[str, str], str],
    submit: bool,
) -> Evidence:
    evidence = services.evidence_create(
        actor=learner,
        portfolio=portfolio,
        type=kind,
        title=title,
        activity_date=timezone.localdate() - datetime.timedelta(days=days_ago),
        description=description,
    )
    for uploaded in files:
        services.evidence_file_add(actor=learner, evidence=evidence, uploaded=uploaded)
    if mappings:
        services.mappings_create(
            actor=learner,
            evidence=evidence,
            commentaries={
                _criterion(portfolio.qualification, unit, number): text
                for (unit, number), text in mappings.items()
            },
            submit=submit,
        )
    return evidence


@transaction.atomic
def seed_demo_portfolios() -> list[Portfolio]:
    centre = Centre.objects.get(name=DEMO_CENTRE)
    people = {u.email.split("@")[0]: u for u in User.objects.filter(centre=centre)}
    today = timezone.localdate()
    start, planned_end = today - datetime.timedelta(days=120), today + datetime.timedelta(days=245)
    portfolios = []
    for qualification in Qualification.objects.order_by("reference"):
        cohort, _ = Cohort.objects.get_or_create(
            centre=centre,
            name=f"{qualification.reference} – autumn intake",
            defaults={
                "qualification": qualification,
                "start_date": start,
                "planned_end_date": planned_end,
            },
        )
        cohort.tutors.add(people["tom"])
        for learner_key in ("amy", "ben"):
            if learner_key == "ben" and qualification.reference != "OCR-L3-RSSP-CERT":
                continue
            portfolio, _ = Portfolio.objects.get_or_create(
                learner=people[learner_key],
                qualification=qualification,
                defaults={
                    "centre": centre,
                    "assessor": people["iris" if "RSM" in qualification.reference else "asha"],
                    "tutor": people["tom"],
                    "cohort": cohort,
                    "start_date": start,
                    "planned_end_date": planned_end,
                },
            )
            portfolios.append(portfolio)
    amy_ocr = next(
        (
            p
            for p in portfolios
            if p.learner == people["amy"] and p.qualification.reference == "OCR-L3-RSSP-CERT"
        ),
        None,
    )
    if amy_ocr is not None and not amy_ocr.evidence.exists():
        _seed_amy_ocr(people["amy"], amy_ocr)
    return portfolios


def _seed_amy_ocr(amy: User, portfolio: Portfolio) -> None:
    _evidence(
        amy,
        portfolio,
        title="Customer feedback board, team huddle",
        kind=EvidenceType.MEDIA,
        days_ago=12,
        description=(
            "Photo of the customer feedback board we set up by the tills, taken after the "
            "Monday huddle where the team agreed three actions from the comments."
        ),
        files=[_photo("Customer feedback board", "#1f5f8b")],
        mappings={
            ("RS-WWO", "1.1"): (
                "Situation: complaints about queue times were rising. Task: agree as a team how "
                "to respond. Action: I ran the huddle and we used the board to pick three "
                "actions. Result: queue complaints fell from 9 to 3 a week."
            ),
            ("RS-PDR", "3.1"): (
                "The board is our recording system for in-store feedback: I log each comment "
                "weekly in the shared sheet and report trends at the huddle."
            ),
        },
        submit=True,
    )
    _evidence(
        amy,
        portfolio,
        title="Mystery shopper report reflection",
        kind=EvidenceType.REFLECTIVE_ACCOUNT,
        days_ago=30,
        description="My reflection on the March mystery shopper visit and what I changed after it.",
        files=[
            _note(
                "mystery-shopper-reflection.txt",
                "Mystery shopper score 78% in March. I was marked down on product knowledge, so "
                "I shadowed the category lead for a week. April score: 91%.\n",
            )
        ],
        mappings={
            ("RS-WWO", "2.1"): (
                "I compared my mystery shopper scores before and after shadowing the category "
                "lead: 78% in March, 91% in April."
            ),
        },
        submit=False,
    )
    planning = _evidence(
        amy,
        portfolio,
        title="Service plan and risk log, spring",
        kind=EvidenceType.PRODUCT,
        days_ago=40,
        description=(
            "The customer service plan I wrote for the spring quarter with the risk log and "
            "weekly KPI review sheet."
        ),
        files=[
            _note(
                "service-plan.txt",
                "Roles: two on tills at peak, one floor host. KPIs: queue under 4 minutes, "
                "CSAT over 85%. Risks: staff absence (cover list), late deliveries.\n",
            )
        ],
        mappings={
            ("RS-PDR", "1.1"): "I wrote the plan: it names who does what at each time of day.",
            ("RS-PDR", "1.2"): "The risk log lists absence and delivery risks with our cover plan.",
            ("RS-PDR", "2.1"): "Each Monday I compare queue times and CSAT with the targets.",
        },
        submit=True,
    )
    huddle = _evidence(
        amy,
        portfolio,
        title="Team huddle notes",
        kind=EvidenceType.REFLECTIVE_ACCOUNT,
        days_ago=20,
        description="Notes from the weekly huddle where we review the team's service scores.",
        files=[_note("huddle-notes.txt", "Scores reviewed; actions agreed.\n")],
        mappings={("RS-WWO", "3.1"): "We looked at the team's scores together."},
        submit=True,
    )
    assessor = portfolio.assessor
    assessment_services.mappings_decide(
        actor=assessor,
        evidence=planning,
        requests=[
            DecisionRequest(
                mapping_id=m.pk, outcome=Outcome.ACCEPTED, feedback="", seen_submitted_at=None
            )
            for m in planning.mappings.all()
        ],
    )
    [huddle_mapping] = huddle.mappings.all()
    assessment_services.mappings_decide(
        actor=assessor,
        evidence=huddle,
        requests=[
            DecisionRequest(
                mapping_id=huddle_mapping.pk,
                outcome=Outcome.REFERRED,
                feedback=(
                    "Say how the team's data was gathered and which improvement actions you set "
                    "from it, with the numbers."
                ),
                seen_submitted_at=None,
            )
        ],
    )
    _evidence(
        amy,
        portfolio,
        title="Service plan for the summer sale",
        kind=EvidenceType.PRODUCT,
        days_ago=5,
        description="Draft staffing and service plan for the summer sale weekend; not mapped yet.",
        files=[_photo("Summer sale rota", "#5b3f8c")],
        mappings={},
        submit=False,
    )
