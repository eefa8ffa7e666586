"""Demo portfolios for local use: the demo learner on the current version of every
qualification, evidence in each state (not mapped, draft, submitted, referred, accepted), and
on the invented example diploma, optional units chosen and a learner still on version 1.

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
from assessment.services import DecisionRequest, Vacsr
from assessment.services.units import choose_unit
from cohorts.models import Cohort
from demo.credentials import seed_demo_credentials
from demo.hours import seed_amy_apprenticeship
from demo.messages import seed_amy_messages
from demo.people import DEMO_CENTRE
from demo.plans import seed_amy_plan
from demo.records import seed_amy_records
from enrolment import services as enrolment_services
from portfolio import services
from portfolio.models import Evidence, EvidenceType, Portfolio
from portfolio.services import witness
from qualifications.models import AssessmentCriterion, Qualification, Unit

EXAMPLE = "EX-L3-RETAIL-DIP"
# A valid choice of the example diploma's optional units: see its fixture's opening comment.
EXAMPLE_CHOICE = ("EX-RET-B1", "EX-RET-B2", "EX-RET-B4", "EX-RET-C1B", "EX-RET-C2A")


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
    for qualification in Qualification.objects.current().order_by("reference"):
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
    if amy_ocr is not None:
        # Amy is an apprentice; Eve, her line manager at the shop, is her employer contact.
        Portfolio.objects.filter(pk=amy_ocr.pk).update(
            is_apprenticeship=True, employer=people["eve"]
        )
        amy_ocr.refresh_from_db()
    if amy_ocr is not None and not amy_ocr.evidence.exists():
        _seed_amy_ocr(people["amy"], amy_ocr)
    if amy_ocr is not None:
        seed_amy_records(people["amy"], amy_ocr)
    if amy_ocr is not None and not amy_ocr.witness_requests.exists():
        _seed_amy_witness(people["amy"], people["asha"], amy_ocr)
    if amy_ocr is not None:
        seed_amy_apprenticeship(people, amy_ocr)
        _seed_amy_records_for_eqa(centre, people, amy_ocr)

        seed_amy_plan(people["amy"], people["asha"], people["eve"], amy_ocr)
        seed_amy_messages(people, amy_ocr)
    amy_example = next(
        (
            p
            for p in portfolios
            if p.learner == people["amy"] and p.qualification.reference == EXAMPLE
        ),
        None,
    )
    if amy_example is not None:
        _choose(amy_example, people["ada"])
        if not amy_example.evidence.exists():
            _seed_amy_example(people["amy"], amy_example)
    ben_example = _seed_ben_on_first_version(centre, people, start, planned_end)
    if ben_example is not None:
        portfolios.append(ben_example)
    seed_demo_credentials(people, ben_example)
    return portfolios


# The records an external quality assurer looks for on the cover of the PDF (made up).
DEMO_CENTRE_NUMBER = "61245"
AMY_ULN = "4829163057"
AMY_OCR_REGISTRATION = "NG26-RSSP-0417"


def _seed_amy_records_for_eqa(
    centre: Centre, people: dict[str, User], portfolio: Portfolio
) -> None:
    """Northgate's centre number (a site operator's, set in the admin), then Amy's ULN, her
    registration number and Iris as designated IQA, through the reassign service, which
    records nothing when they are already so."""
    Centre.objects.filter(pk=centre.pk).update(centre_number=DEMO_CENTRE_NUMBER)
    enrolment_services.portfolio_reassign(
        actor=people["ada"],
        portfolio=portfolio,
        assessor=portfolio.assessor,
        tutor=portfolio.tutor,
        iqa=people["iris"],
        registration_number=AMY_OCR_REGISTRATION,
        uln=AMY_ULN,
    )
    portfolio.refresh_from_db()


def _seed_amy_ocr(amy: User, portfolio: Portfolio) -> None:
    board = _evidence(
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
    _seed_amy_resubmission(amy, assessor, board)
    assessment_services.mappings_decide(
        actor=assessor,
        evidence=planning,
        requests=[
            DecisionRequest(
                mapping_id=m.pk,
                outcome=Outcome.ACCEPTED,
                feedback="",
                seen_submitted_at=None,
                vacsr=Vacsr.confirmed(
                    authentic="The plan carries Amy's name and her manager's comments on it."
                ),
            )
            for m in planning.mappings.all()
        ],
    )
    [huddle_mapping] = huddle.mappings.all()
    assessment_services.mappings_decide(
        actor=assessor,
        evidence=huddle,
        requests=[
            # Accepted, but the evidence is not sufficient: VACSR makes it a referral whose
            # feedback is the note.
            DecisionRequest(
                mapping_id=huddle_mapping.pk,
                outcome=Outcome.ACCEPTED,
                feedback="",
                seen_submitted_at=None,
                vacsr=Vacsr(
                    valid=True,
                    authentic=True,
                    current=True,
                    sufficient=False,
                    reliable=True,
                    notes={
                        "sufficient": (
                            "Say how the team's data was gathered and which improvement actions "
                            "you set from it, with the numbers."
                        )
                    },
                ),
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


def _seed_amy_resubmission(amy: User, assessor: User, board: Evidence) -> None:
    """The feedback board's RS-PDR 3.1 is referred, and Amy answers it with a revised
    commentary and the sheet she logs comments in: Asha sees what changed since."""
    mapping = board.mappings.select_related("criterion__unit").get(
        criterion__unit__reference="RS-PDR"
    )
    assessment_services.mappings_decide(
        actor=assessor,
        evidence=board,
        requests=[
            DecisionRequest(
                mapping_id=mapping.pk,
                outcome=Outcome.REFERRED,
                feedback="Show the recording system itself: how a comment gets from the board "
                "into the sheet, and what the trend report looks like.",
                seen_submitted_at=None,
            )
        ],
    )
    services.evidence_file_add(
        actor=amy,
        evidence=board,
        uploaded=_note(
            "feedback-log-april.txt",
            "Week 14: 11 comments (6 queues, 3 staff praise, 2 stock). Week 15: 7 comments.\n",
        ),
    )
    mapping.refresh_from_db()
    services.mapping_update_and_submit(
        actor=amy,
        mapping=mapping,
        commentary=(
            "The board is our recording system for in-store feedback: every Friday I copy each "
            "comment into the shared feedback log (attached, April), tagged by theme, and I "
            "report the week's trends at the Monday huddle."
        ),
    )


def _seed_amy_witness(amy: User, asha: User, portfolio: Portfolio) -> None:
    """A witness statement given by link, as a witness would: Asha asks Amy's line manager,
    the statement arrives as evidence, and Amy maps and submits it for Asha to judge."""
    _, token = witness.witness_request_create(
        actor=asha,
        portfolio=portfolio,
        witness=witness.Witness(
            name="Priya Shah",
            job_title="Store manager",
            relationship="Amy's line manager for two years",
            email="priya.shah@shop.example",
        ),
        activity=(
            "Amy leading the Saturday team briefing and handling the refund queue "
            "during the spring sale."
        ),
        criteria=[_criterion(portfolio.qualification, "RS-WWO", "1.2")],
    )
    statement = witness.witness_statement_submit(
        token=token,
        observed=(
            "I watched Amy run the 8.45 briefing for six colleagues: she shared the sales "
            "target, gave each person a till or floor role and checked they knew the refund "
            "rules. At 11 the refund queue reached twelve people; Amy opened a second till, "
            "moved a colleague across and kept customers informed. The queue was gone in "
            "twenty minutes with no complaints."
        ),
        observed_on=timezone.localdate() - datetime.timedelta(days=9),
        activities="Team briefing; managing the refund queue",
        signed_name="Priya Shah",
        declared=True,
    )
    services.mappings_create(
        actor=amy,
        evidence=statement.evidence,
        commentaries={
            _criterion(portfolio.qualification, "RS-WWO", "1.2"): (
                "My manager saw me brief the team and reorganise the tills when the refund "
                "queue built up: I changed who did what so the team met the customers' needs."
            )
        },
        submit=True,
    )


# The invented example diploma ----------------------------------------------------------------


def _choose(portfolio: Portfolio, administrator: User) -> None:
    """The example's optional units chosen for the portfolio through the service an
    administrator's page uses, so the rules of combination and the audit apply."""
    chosen = set(portfolio.unit_choices.values_list("unit__reference", flat=True))
    for reference in EXAMPLE_CHOICE:
        if reference in chosen:
            continue
        unit = Unit.objects.get(
            reference=reference, qualification_links__qualification=portfolio.qualification
        )
        choose_unit(actor=administrator, portfolio=portfolio, unit=unit)


def _decide(assessor: User, evidence: Evidence, feedback: dict[str, str] | None = None) -> None:
    """Accept each of the evidence's mappings, the evidence confirmed valid, authentic, current,
    sufficient and reliable, or refer those whose criterion has feedback."""
    feedback = feedback or {}
    assessment_services.mappings_decide(
        actor=assessor,
        evidence=evidence,
        requests=[
            DecisionRequest(
                mapping_id=mapping.pk,
                outcome=Outcome.REFERRED
                if mapping.criterion.number in feedback
                else Outcome.ACCEPTED,
                feedback=feedback.get(mapping.criterion.number, ""),
                seen_submitted_at=None,
                vacsr=None if mapping.criterion.number in feedback else Vacsr.confirmed(),
            )
            for mapping in evidence.mappings.select_related("criterion")
        ],
    )


def _seed_amy_example(amy: User, portfolio: Portfolio) -> None:
    """Amy on the current version: evidence for a mandatory and two chosen units, decided."""
    observation = _evidence(
        amy,
        portfolio,
        title="Shop floor service observation",
        kind=EvidenceType.OBSERVATION,
        days_ago=9,
        description="Asha observed me on the shop floor during a Saturday morning.",
        files=[
            _note("observation-record.txt", "Greeted customers, questioned, referred a refund.\n")
        ],
        mappings={
            ("EX-RET-A2", "2.1"): "I greeted each customer within a minute, as our standard says.",
            ("EX-RET-A2", "2.2"): "I asked what the customer was shopping for and listened.",
            ("EX-RET-A2", "2.5"): "I asked for feedback at the till but did not pass it on.",
        },
        submit=True,
    )
    _decide(
        portfolio.assessor,
        observation,
        {"2.5": "Say whom you passed the feedback to and what happened to it."},
    )
    stock = _evidence(
        amy,
        portfolio,
        title="Stock count and rotation record",
        kind=EvidenceType.PRODUCT,
        days_ago=21,
        description="The chilled aisle stock count I did and how I rotated the stock.",
        files=[_note("stock-count.txt", "Counted 214 lines; 6 discrepancies reported.\n")],
        mappings={
            ("EX-RET-B1", "1.3"): "I rotated the chilled stock first in, first out.",
        },
        submit=True,
    )
    _decide(portfolio.assessor, stock)
    _evidence(
        amy,
        portfolio,
        title="Team shift notes",
        kind=EvidenceType.REFLECTIVE_ACCOUNT,
        days_ago=3,
        description="How I agreed my tasks with the shift lead; not submitted yet.",
        files=[_note("shift-notes.txt", "Agreed tasks at the start of the shift.\n")],
        mappings={("EX-RET-C1B", "2.1"): "I agreed my tasks for the shift with the lead."},
        submit=False,
    )


def _seed_ben_on_first_version(
    centre: Centre, people: dict[str, User], start: datetime.date, planned_end: datetime.date
) -> Portfolio | None:
    """Ben, registered on version 1 before version 2 came out, with customer service signed
    off: moving him shows what carries across and what does not."""
    first = (
        Qualification.objects.filter(reference=EXAMPLE, is_current=False)
        .order_by("sequence")
        .first()
    )
    if first is None:
        return None
    cohort, _ = Cohort.objects.get_or_create(
        centre=centre,
        name=f"{EXAMPLE} version {first.version} – spring intake",
        defaults={"qualification": first, "start_date": start, "planned_end_date": planned_end},
    )
    cohort.tutors.add(people["tom"])
    portfolio, _ = Portfolio.objects.get_or_create(
        learner=people["ben"],
        qualification=first,
        defaults={
            "centre": centre,
            "assessor": people["asha"],
            "tutor": people["tom"],
            "cohort": cohort,
            "start_date": start,
            "planned_end_date": planned_end,
        },
    )
    _choose(portfolio, people["ada"])
    if not portfolio.evidence.exists():
        _seed_ben_customer_service(people["ben"], portfolio)
    return portfolio


def _seed_ben_customer_service(ben: User, portfolio: Portfolio) -> None:
    knowledge = _evidence(
        ben,
        portfolio,
        title="Customer expectations, professional discussion",
        kind=EvidenceType.PROFESSIONAL_DISCUSSION,
        days_ago=60,
        description="Recorded discussion with Asha about what customers expect of our service.",
        files=[_note("discussion-notes.txt", "Expectations, first impressions, standards.\n")],
        mappings={
            ("EX-RET-A2", "1.1"): "I explained where customers' expectations come from.",
            ("EX-RET-A2", "1.2"): "I explained why the first greeting matters.",
            ("EX-RET-A2", "1.3"): "I described our service standards and why we have them.",
            ("EX-RET-A2", "1.4"): "I explained when I use open and closed questions.",
        },
        submit=True,
    )
    practice = _evidence(
        ben,
        portfolio,
        title="Customer service observation",
        kind=EvidenceType.OBSERVATION,
        days_ago=45,
        description="Asha observed me serving customers on a weekday afternoon.",
        files=[_photo("Service observation", "#2f6b3a")],
        mappings={
            ("EX-RET-A2", "2.1"): "I greeted customers promptly.",
            ("EX-RET-A2", "2.2"): "I found out what each customer needed.",
            ("EX-RET-A2", "2.3"): "I explained the warranty options accurately.",
            ("EX-RET-A2", "2.4"): "I referred a refund outside policy to the supervisor.",
            ("EX-RET-A1", "2.1"): "I did the safety walk before opening.",
        },
        submit=True,
    )
    _decide(portfolio.assessor, knowledge)
    _decide(portfolio.assessor, practice)
    unit = Unit.objects.get(
        reference="EX-RET-A2", qualification_links__qualification=portfolio.qualification
    )
    assessment_services.unit_declare(actor=ben, portfolio=portfolio, unit=unit)
    assessment_services.unit_sign_off(actor=portfolio.assessor, portfolio=portfolio, unit=unit)
