"""The demo data builders: `seed_demo`, its large portfolio and its large centre, at small sizes."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import Client

from accounts.models import Credential, Role, User
from assessment.models import (
    Countersignature,
    Decision,
    IqaReview,
    Outcome,
    UnitDeclaration,
    UnitSignOff,
)
from cohorts.models import Cohort
from dashboards.waiting import waiting_for
from demo.large_centre import LARGE_CENTRE, seed_large_centre
from demo.large_portfolio import LARGE_QUALIFICATION, PortfolioSize, build_large_portfolio
from demo.portfolios import EXAMPLE, EXAMPLE_CHOICE
from enrolment.intake_check import check_intake
from enrolment.intake_file import parse_intake
from enrolment.versions import plan_move
from portfolio.models import (
    AssessorRecord,
    AuditEntry,
    EqaGrant,
    EvidenceFile,
    EvidenceType,
    FileKind,
    Mapping,
    MappingStatus,
    Message,
    Portfolio,
    UnitChoice,
)
from portfolio.selectors import portfolio_list
from portfolio.units import portfolio_unit_ids
from qualifications.models import AssessmentCriterion, Qualification, Unit
from qualifications.rules import rules_status
from qualifications.selectors import rules_by_qualification
from tests.conftest import OCR

# Seconds, not minutes: two units of three criteria, ten evidence items, four small photos.
TINY = PortfolioSize("tiny", 2, 1, 3, 10, 4, (400, 300), 1, 1)
EVERY_STATUS = {
    MappingStatus.DRAFT,
    MappingStatus.SUBMITTED,
    MappingStatus.REFERRED,
    MappingStatus.ACCEPTED,
}


@pytest.fixture
def seeded(settings, catalogue: None) -> None:
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())


def test_seed_demo_gives_amy_evidence_in_every_state(seeded: None) -> None:
    amy = User.objects.get(email="amy@northgate.example")
    portfolio = Portfolio.objects.get(learner=amy, qualification__reference=OCR)
    statuses = set(
        Mapping.objects.filter(evidence__portfolio=portfolio).values_list("status", flat=True)
    )
    assert statuses == EVERY_STATUS
    assert portfolio.evidence.filter(mappings__isnull=True).count() == 1
    assert EvidenceFile.objects.filter(evidence__portfolio=portfolio, kind=FileKind.IMAGE).exists()
    assert AuditEntry.objects.filter(portfolio=portfolio, action="evidence.create").count() == 5


def test_seed_demo_puts_the_demo_learners_on_every_qualification(seeded: None) -> None:
    """Amy on the current version of each; Ben on OCR, and on the example's first version."""
    current = set(Qualification.objects.current().values_list("pk", flat=True))
    first_example = Qualification.objects.get(reference=EXAMPLE, version="1")
    amy_on = Portfolio.objects.filter(learner__email="amy@northgate.example")
    ben_on = Portfolio.objects.filter(learner__email="ben@northgate.example")

    assert len(current) == 4
    assert set(amy_on.values_list("qualification_id", flat=True)) == current
    assert set(ben_on.values_list("qualification__reference", "qualification__version")) == {
        (OCR, "1"),
        (EXAMPLE, "1"),
    }
    taught = Cohort.objects.filter(tutors__email="tom@northgate.example")
    assert taught.count() == len(current) + 1
    assert set(taught.values_list("qualification_id", flat=True)) == current | {first_example.pk}


def test_seed_demo_gives_amy_a_valid_choice_of_the_examples_optional_units(seeded: None) -> None:
    portfolio = Portfolio.objects.get(
        learner__email="amy@northgate.example", qualification__reference=EXAMPLE
    )
    rules = rules_by_qualification([portfolio.qualification_id])[portfolio.qualification_id]
    chosen = UnitChoice.objects.filter(portfolio=portfolio)
    units = set(
        Unit.objects.filter(pk__in=portfolio_unit_ids(portfolio)).values_list(
            "reference", flat=True
        )
    )

    assert portfolio.qualification.is_current
    assert {choice.unit.reference for choice in chosen} == set(EXAMPLE_CHOICE)
    assert all(
        choice.unit.qualification_links.filter(
            qualification=portfolio.qualification, mandatory=False
        ).exists()
        for choice in chosen
    )
    assert rules_status(rules, chosen=units, achieved=set()).satisfied
    statuses = set(
        Mapping.objects.filter(evidence__portfolio=portfolio).values_list("status", flat=True)
    )
    assert statuses == {MappingStatus.ACCEPTED, MappingStatus.REFERRED, MappingStatus.DRAFT}


def test_seed_demo_leaves_ben_on_the_examples_first_version_with_evidence_to_move(
    seeded: None,
) -> None:
    """What moving him previews: some evidence carries, some does not, a unit to sign off."""
    portfolio = Portfolio.objects.get(
        learner__email="ben@northgate.example", qualification__reference=EXAMPLE
    )
    newest = Qualification.objects.current().get(reference=EXAMPLE)

    plan = plan_move(portfolio, newest)

    assert portfolio.qualification.version == "1"
    assert [(i.change.old_number, i.change.new_number) for i in plan.carried] == [
        ("1.1", "1.1"),
        ("1.4", "1.3"),
        ("2.1", "2.1"),
        ("2.2", "2.2"),
        ("2.3", "2.3"),
        ("2.4", "2.4"),
    ]
    assert {m.status for m in (i.mapping for i in plan.carried)} == {MappingStatus.ACCEPTED}
    assert [i.mapping.criterion.number for i in plan.left] == ["1.2", "1.3"]
    assert [s.unit.reference for s in plan.sign_offs] == ["EX-RET-A2"]
    assert len(plan.choices_kept) == len(EXAMPLE_CHOICE)


def test_seed_demo_can_run_again_without_adding_anything(seeded: None) -> None:
    counts = [
        model.objects.count()
        for model in (Portfolio, Cohort, UnitChoice, Mapping, AuditEntry, Message)
    ]

    call_command("seed_demo", stdout=StringIO())

    assert [
        model.objects.count()
        for model in (Portfolio, Cohort, UnitChoice, Mapping, AuditEntry, Message)
    ] == counts


def test_large_portfolio_holds_files_mappings_and_records_in_every_state(
    amy: User, asha: User, iris: User
) -> None:
    portfolio = build_large_portfolio(learner=amy, assessor=asha, iqa=iris, size=TINY)

    assert portfolio.qualification.reference == LARGE_QUALIFICATION
    criteria = AssessmentCriterion.objects.filter(
        unit__qualification_links__qualification=portfolio.qualification
    )
    assert criteria.count() == TINY.criteria == 6
    assert portfolio.evidence.count() == 10
    photos = EvidenceFile.objects.filter(evidence__portfolio=portfolio, kind=FileKind.IMAGE)
    assert photos.count() == 4
    assert all(photo.thumbnail and photo.print_rendition for photo in photos)
    assert (
        EvidenceFile.objects.filter(evidence__portfolio=portfolio, kind=FileKind.PDF).count() == 1
    )
    mappings = Mapping.objects.filter(evidence__portfolio=portfolio)
    assert set(mappings.values_list("status", flat=True)) == EVERY_STATUS
    assert set(mappings.values_list("criterion", flat=True)) == set(
        criteria.values_list("pk", flat=True)
    )
    for mapping in mappings.filter(status__in=[MappingStatus.ACCEPTED, MappingStatus.REFERRED]):
        assert mapping.decisions.last().outcome == mapping.status
    assert not Decision.objects.filter(
        mapping__in=mappings.filter(status__in=[MappingStatus.DRAFT, MappingStatus.SUBMITTED])
    ).exists()
    assert IqaReview.objects.filter(decision__mapping__in=mappings, reviewer=iris).exists()
    assert UnitDeclaration.objects.filter(portfolio=portfolio, declared_by=amy).count() == 1
    assert UnitSignOff.objects.filter(portfolio=portfolio, signed_by=asha).count() == 1
    decisions = Decision.objects.filter(mapping__in=mappings).count()
    files = EvidenceFile.objects.filter(evidence__portfolio=portfolio).count()
    assert portfolio.audit_entries.count() == 10 + files + mappings.count() + decisions


def test_large_portfolio_is_made_once(amy: User, asha: User, iris: User, ben: User) -> None:
    build_large_portfolio(learner=amy, assessor=asha, iqa=iris, size=TINY)
    with pytest.raises(ValueError, match="made once"):
        build_large_portfolio(learner=ben, assessor=asha, iqa=iris, size=TINY)


def test_seed_demo_large_portfolio_is_amys_to_open(seeded: None, client: Client) -> None:
    out = StringIO()
    call_command("seed_demo", large_portfolio="small", stdout=out)

    amy = User.objects.get(email="amy@northgate.example")
    portfolio = Portfolio.objects.get(qualification__reference=LARGE_QUALIFICATION)
    assert portfolio.learner == amy
    assert portfolio.assessor.email == "asha@northgate.example"
    assert portfolio.evidence.count() == 10
    assert "Sign in as amy@northgate.example" in out.getvalue()
    client.force_login(amy)
    assert client.get(f"/portfolios/{portfolio.pk}/").status_code == 200
    assert f"/portfolios/{portfolio.pk}/exports/" in out.getvalue()
    assert client.get(f"/portfolios/{portfolio.pk}/exports/").status_code == 200
    with pytest.raises(CommandError, match="made once"):
        call_command("seed_demo", large_portfolio="small", stdout=StringIO())


def test_large_centre_spreads_learners_over_cohorts_with_evidence_in_every_state(
    catalogue: None,
) -> None:
    centre = seed_large_centre(60)

    learners = User.objects.filter(centre=centre, memberships__role=Role.LEARNER)
    assert learners.count() == 60
    assert User.objects.filter(centre=centre, memberships__role=Role.ASSESSOR).count() == 60
    assert Cohort.objects.filter(centre=centre).count() == 3
    portfolios = Portfolio.objects.filter(centre=centre).annotate(items=Count("evidence"))
    assert portfolios.count() == 60
    assert all(portfolio.items for portfolio in portfolios)
    mappings = Mapping.objects.filter(evidence__portfolio__centre=centre)
    assert set(mappings.values_list("status", flat=True)) == EVERY_STATUS
    decided = mappings.filter(status__in=[MappingStatus.ACCEPTED, MappingStatus.REFERRED])
    assert Decision.objects.filter(mapping__in=mappings).count() == decided.count()
    assert not Decision.objects.filter(
        mapping__in=mappings, outcome=Outcome.ACCEPTED, mapping__status=MappingStatus.REFERRED
    ).exists()


def test_large_centre_is_made_once(catalogue: None) -> None:
    seed_large_centre(20)
    with pytest.raises(ValueError, match=LARGE_CENTRE):
        seed_large_centre(20)


def test_seed_demo_gives_asha_and_iris_credentials_and_iris_countersigns_ashas_sign_off(
    seeded: None,
) -> None:
    held = {
        (c.person.email.split("@")[0], c.title) for c in Credential.objects.select_related("person")
    }
    [countersignature] = Countersignature.objects.select_related("unit", "signed_by", "portfolio")
    sign_off = UnitSignOff.objects.get(
        portfolio=countersignature.portfolio, unit=countersignature.unit, revoked_at__isnull=True
    )

    assert {person for person, _ in held} == {"asha", "iris"}
    assert ("asha", "Level 3 Certificate in Assessing Vocational Achievement (CAVA)") in held
    assert (countersignature.signed_by.full_name, sign_off.signed_by.full_name) == (
        "Iris IQA",
        "Asha Assessor",
    )
    assert countersignature.revoked_at is None
    call_command("seed_demo", stdout=StringIO())
    assert (Credential.objects.count(), Countersignature.objects.count()) == (3, 1)


def test_seed_demo_gives_amy_an_acknowledged_and_accepted_observation_and_discussion(
    seeded: None,
) -> None:
    amy = User.objects.get(email="amy@northgate.example")
    portfolio = Portfolio.objects.get(learner=amy, qualification__reference=OCR)
    records = AssessorRecord.objects.filter(evidence__portfolio=portfolio)
    assert set(records.values_list("evidence__type", flat=True)) == {
        EvidenceType.OBSERVATION,
        EvidenceType.PROFESSIONAL_DISCUSSION,
    }
    for record in records:
        assert record.author == portfolio.assessor and record.acknowledged_by == amy
        statuses = set(record.evidence.mappings.values_list("status", flat=True))
        assert statuses == {MappingStatus.ACCEPTED}
    assert records.get(evidence__type=EvidenceType.PROFESSIONAL_DISCUSSION).items.count() == 3
    call_command("seed_demo", stdout=StringIO())
    assert AssessorRecord.objects.filter(evidence__portfolio=portfolio).count() == 2


def test_seed_demo_gives_amy_a_witness_statement_submitted_by_link(seeded: None) -> None:
    portfolio = Portfolio.objects.get(
        learner__email="amy@northgate.example", qualification__reference=OCR
    )
    [request] = portfolio.witness_requests.all()

    assert request.used_at is not None
    statement = request.statement
    assert statement.evidence.type == "witness_testimony"
    assert statement.signed_name == statement.witness_name == "Priya Shah"
    assert statement.evidence.mappings.get().status == MappingStatus.SUBMITTED
    by_link = AuditEntry.objects.filter(portfolio=portfolio, action="witness.submit", actor=None)
    assert by_link.count() == 1


def test_seed_demo_gives_amys_apprenticeship_hours_and_eves_statement(seeded: None) -> None:
    portfolio = Portfolio.objects.get(
        learner__email="amy@northgate.example", qualification__reference="OCR-L3-RSSP-CERT"
    )
    assert portfolio.is_apprenticeship and portfolio.off_the_job_planned_hours
    statuses = list(portfolio.off_the_job_entries.values_list("status", flat=True))
    assert len(statuses) == 8
    assert statuses.count("confirmed") == 7 and statuses.count("logged") == 1
    assert portfolio.evidence.filter(witness_statement__author=portfolio.employer).count() == 1


def test_seed_demo_gives_amys_referred_evidence_a_conversation_with_asha(seeded: None) -> None:
    portfolio = Portfolio.objects.get(
        learner__email="amy@northgate.example", qualification__reference=OCR
    )
    [about] = {m.evidence for m in portfolio.messages.exclude(evidence=None)}
    authors = list(
        portfolio.messages.filter(evidence=about).values_list("author__email", flat=True)
    )

    assert about.mappings.filter(status=MappingStatus.REFERRED).exists()
    assert authors == ["asha@northgate.example", "amy@northgate.example", "asha@northgate.example"]
    assert portfolio.messages.filter(evidence=None).count() == 2


def test_seed_demo_gives_erin_read_only_access_to_a_sample_with_amy_in_it_once(
    settings, catalogue: None
) -> None:
    settings.DEBUG = True
    first, again = StringIO(), StringIO()
    call_command("seed_demo", stdout=first)
    call_command("seed_demo", stdout=again)

    [grant] = EqaGrant.objects.all()
    assert grant.state == "active"
    assert grant.assurer.roles == {Role.EQA}
    assert grant.portfolios.filter(
        learner__email="amy@northgate.example", qualification__reference=OCR
    ).exists()
    assert grant.page_views.count() == 4
    assert f"{grant.assurer.email} signs in from: http" in first.getvalue()
    assert "erin@awarding.example" not in again.getvalue()


def test_seed_demo_gives_each_home_something_waiting(seeded: None) -> None:
    def waiting(email: str) -> object:
        person = User.objects.get(email=email)
        return waiting_for(person, portfolio_list(person, own_only=True))

    amy = waiting("amy@northgate.example").learner
    assert [step.unit.reference for step in amy.to_declare] == ["EX-RET-C2A"]
    asha = waiting("asha@northgate.example").assessor
    assert [(s.portfolio.learner.full_name, s.unit.reference) for s in asha.to_sign.items] == [
        ("Ben Learner", "RS-PDR")
    ]
    assert asha.decisions and asha.overdue
    ada = waiting("ada@northgate.example").admin
    assert [p.full_name for p in ada.invitations.items] == ["Nina Newcomer"]
    assert [p.learner.full_name for p in ada.unassigned.items] == ["Nina Newcomer"]
    assert waiting("tom@northgate.example").tutor.at_risk
    assert waiting("iris@northgate.example").iqa.samples


def test_the_example_intake_file_checks_clean_against_the_demo_centre(seeded: None) -> None:
    """demo/intake-example.csv types the cohort with a hyphen and in another case, as people
    do, and still imports; it is what the README suggests trying."""
    content = (Path(__file__).resolve().parents[2] / "demo" / "intake-example.csv").read_bytes()
    centre = User.objects.get(email="ada@northgate.example").centre
    checked = check_intake(centre=centre, rows=parse_intake(content).rows)

    assert checked.problems == []
    assert {row.enrolment.cohort.name for row in checked.rows} == {
        "OCR-L3-RSSP-CERT – autumn intake"
    }
    assert [row.enrolment.uln for row in checked.rows] == ["6301748295", "7412859306"]
