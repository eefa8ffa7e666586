"""The records an external quality assurer looks for, in the PDF: the learner's ULN and
registration number, the centre number, the assessor and designated IQA with their
credentials, each unit's Ofqual reference, level, credits and hours, the evidence not yet
mapped, and a summative sign-off that reports what the record holds."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services as accounts
from accounts.models import Centre, User
from assessment import services as assessment
from assessment.models import Decision, IqaAgreement
from enrolment import services as enrolment
from exports.models import ExportScope, PortfolioExport
from exports.pdf.content import gather
from portfolio.models import Portfolio
from qualifications.models import Unit
from tests.exports.test_exports import clear_section_cache, export_now, flat
from tests.factories import EvidenceFactory, EvidenceFileFactory
from tests.journeys import add_evidence, sign_off, submit

pytestmark = pytest.mark.django_db

IQA_AWARD = "Level 4 Award in the Internal Quality Assurance of Assessment Processes"


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def recorded(
    amy_portfolio: Portfolio, centre: Centre, ada: User, asha: User, iris: User
) -> Portfolio:
    """Amy's portfolio with every record set: numbers, designated IQA, credentials."""
    clear_section_cache(amy_portfolio)
    Centre.objects.filter(pk=centre.pk).update(centre_number="61245")
    enrolment.portfolio_reassign(
        actor=ada,
        portfolio=amy_portfolio,
        assessor=asha,
        tutor=amy_portfolio.tutor,
        iqa=iris,
        registration_number="OCR-0042",
        uln="1234567890",
    )
    accounts.credential_add(
        actor=asha,
        title="Level 3 Certificate in Assessing Vocational Achievement (CAVA)",
        awarding_body="City & Guilds",
        achieved_on=datetime.date(2021, 3, 1),
    )
    accounts.credential_add(
        actor=iris, title=IQA_AWARD, awarding_body="Pearson", achieved_on=datetime.date(2019, 6, 21)
    )
    Unit.objects.filter(reference="RS-PDR").update(
        ofqual_reference="A/000/0099", credits=6, guided_learning_hours=40
    )
    return amy_portfolio


def test_the_cover_carries_the_numbers_and_the_people_with_their_credentials(
    recorded: Portfolio, asha: User
) -> None:
    _, pdf = export_now(asha, recorded)
    cover = flat(pdf.pages[0])

    assert "Unique Learner Number 1234567890" in cover
    assert "Registration number OCR-0042" in cover
    assert "Centre Northgate Training, centre number 61245" in cover
    assert (
        "Assessor Asha Patel Level 3 Certificate in Assessing Vocational Achievement (CAVA), "
        "City & Guilds, achieved 1 March 2021" in cover
    )
    assert f"quality assurer Iris Okafor {IQA_AWARD}, Pearson, achieved 21 June 2019" in cover
    assert "Decisions sampled by No decisions sampled yet" in cover


def test_a_cover_without_the_records_says_so(amy_portfolio: Portfolio, asha: User) -> None:
    clear_section_cache(amy_portfolio)
    _, pdf = export_now(asha, amy_portfolio)
    cover = flat(pdf.pages[0])

    assert "Unique Learner Number Not recorded" in cover
    assert "Registration number Not recorded" in cover
    assert "quality assurer Not named" in cover
    assert "Asha Patel No credentials recorded." in cover


def test_units_show_their_ofqual_reference_level_credits_and_hours(
    recorded: Portfolio, asha: User
) -> None:
    _, pdf = export_now(asha, recorded)
    bookmarks = pdf.bookmarks()
    unit_page = bookmarks["Unit RS-PDR: Plan, deliver and review reliable customer service"]

    facts = "Ofqual unit reference A/000/0099 · Level 3 · 6 credits · 40 guided learning hours"
    assert facts in flat(pdf.pages[unit_page - 1])
    summary = pdf.between(1, pdf.front_pages + 1)
    assert "Ofqual unit reference A/000/0099 · Level 3 · 40 guided learning hours Mandatory 6" in (
        summary
    )


def test_evidence_not_yet_mapped_is_listed_with_its_files_in_a_whole_export(
    recorded: Portfolio, asha: User, pdr: Unit
) -> None:
    mapped = add_evidence(recorded, "Feedback board")
    submit(mapped, *pdr.criteria.all()[:1])
    loose = EvidenceFactory(portfolio=recorded, title="Rota for the summer sale")
    loose_file = EvidenceFileFactory(evidence=loose, original_name="rota.txt")

    _, pdf = export_now(asha, recorded)
    bookmarks = pdf.bookmarks()
    page = flat(pdf.pages[bookmarks["Evidence not yet mapped"] - 1])

    assert "Rota for the summer sale Product of work · 14 October 2025" in page
    assert "rota.txt" in page and loose_file.sha256[:40] in page.replace(" ", "")
    assert "Feedback board" not in page
    assert "Evidence not yet mapped" in flat(pdf.pages[1])  # in the contents
    _, unit_pdf = export_now(asha, recorded, scope=ExportScope.UNIT, unit=pdr)
    assert "Evidence not yet mapped" not in unit_pdf.text
    assert "Rota for the summer sale" not in unit_pdf.text


def test_with_everything_mapped_the_section_says_so(recorded: Portfolio, asha: User) -> None:
    _, pdf = export_now(asha, recorded)

    assert "None: every piece of evidence in the portfolio is mapped" in pdf.text


def test_the_summative_sign_off_of_an_incomplete_portfolio_says_what_remains(
    recorded: Portfolio, asha: User, pdr: Unit
) -> None:
    sign_off(recorded, pdr)

    _, pdf = export_now(asha, recorded)
    front = pdf.between(1, pdf.front_pages + 1)
    section = front[front.index("Summative sign-off The portfolio") :]

    assert section.startswith("Summative sign-off The portfolio is not complete yet.")
    assert "RS-PDR Plan, deliver and review reliable customer service I, Asha Patel" in section
    assert "Signed off by Asha Patel on" in section
    assert "RS-WWO Work with others to improve customer service Not signed off." in section
    assert "The whole portfolio has not been countersigned by an internal quality assurer." in (
        section
    )
    assert "Designated internal quality assurer: Iris Okafor." in section
    assert (
        "Still to do before the portfolio is complete RS-WWO Work with others to improve "
        "customer service: not signed off (0 of 11 criteria met)." in section
    )


def test_the_summative_sign_off_of_a_complete_countersigned_portfolio_quotes_both(
    recorded: Portfolio, asha: User, iris: User, pdr: Unit, wwo: Unit
) -> None:
    sign_off(recorded, pdr)
    sign_off(recorded, wwo)
    decision = Decision.objects.filter(mapping__evidence__portfolio=recorded).first()
    assessment.iqa_review_record(
        actor=iris, decision=decision, verdict=IqaAgreement.AGREE, feedback=""
    )
    whole = assessment.portfolio_countersign(actor=iris, portfolio=recorded)

    _, pdf = export_now(asha, recorded)
    front = pdf.between(1, pdf.front_pages + 1)
    section = front[front.index("Summative sign-off The portfolio") :]

    assert section.startswith(
        "Summative sign-off The portfolio is complete: every unit is signed off by the assessor."
    )
    assert "Not signed off" not in section and "Still to do" not in section
    assert flat(whole.wording) in section
    assert "Countersigned by Iris Okafor on" in section


def test_gathering_the_records_reads_a_fixed_number_of_queries(
    recorded: Portfolio, asha: User
) -> None:
    export = PortfolioExport.objects.create(
        portfolio=recorded, requested_by=asha, scope=ExportScope.WHOLE
    )

    def queries_to_gather() -> int:
        with CaptureQueriesContext(connection) as captured:
            content = gather(export)
            [len(p.person.credentials.all()) for p in content.people]
            [len(s.files) for s in content.unmapped]
        return len(captured)

    loose = EvidenceFactory(portfolio=recorded, title="Loose notes")
    EvidenceFileFactory(evidence=loose)
    one = queries_to_gather()
    for number in range(5):
        more = EvidenceFactory(portfolio=recorded, title=f"More notes {number}")
        EvidenceFileFactory(evidence=more)
        EvidenceFileFactory(evidence=more)

    assert queries_to_gather() == one
