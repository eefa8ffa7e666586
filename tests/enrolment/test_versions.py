"""Moving a portfolio to another version of its qualification: the plan, the move, and the
pages around it (the preview, the portfolio page's notice and the evidence left behind).

Ben is on version 1 of the invented retail diploma with evidence accepted against every
criterion of its customer service unit, EX-RET-A2, which version 2 revises: 1.1 reworded with
the same meaning, 1.2 reworded, 1.3 removed, 1.4 renumbered 1.3, 2.5 added.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from assessment import services as assessment
from assessment.models import Countersignature, Decision, Outcome, UnitSignOff
from assessment.progress import portfolio_progress
from enrolment import versions
from enrolment.services import EnrolmentRefused
from portfolio import services
from portfolio.audit import describe
from portfolio.models import AuditEntry, Evidence, EvidenceType, Mapping, Portfolio, UnitChoice
from qualifications.models import AssessmentCriterion, Qualification, QualificationUnit, Unit
from tests.factories import PortfolioFactory
from tests.files import text_upload
from tests.pages import messages_of, text_of

pytestmark = pytest.mark.django_db

EXAMPLE = "EX-L3-RETAIL-DIP"
OPTIONAL = ["EX-RET-B1", "EX-RET-B2", "EX-RET-B4", "EX-RET-C1B", "EX-RET-C2A"]


def version(number: str) -> Qualification:
    return Qualification.objects.get(reference=EXAMPLE, version=number)


def criterion_of(unit: str, number: str, unit_version: str = "1") -> AssessmentCriterion:
    return AssessmentCriterion.objects.get(
        unit__reference=unit, unit__version=unit_version, number=number
    )


@pytest.fixture
def v1(catalogue: None) -> Qualification:
    return version("1")


@pytest.fixture
def v2(catalogue: None) -> Qualification:
    return version("2")


@pytest.fixture
def ben_v1(ben: User, asha: User, ada: User, v1: Qualification) -> Portfolio:
    """Ben on version 1 with the optional units of a valid choice."""
    portfolio = PortfolioFactory(learner=ben, qualification=v1, assessor=asha)
    for reference in OPTIONAL:
        unit = Unit.objects.get(reference=reference, qualification_links__qualification=v1)
        UnitChoice.objects.create(portfolio=portfolio, unit=unit, chosen_by=ada)
    return portfolio


def accepted(portfolio: Portfolio, criteria: list[AssessmentCriterion], *, title: str) -> Evidence:
    """Evidence mapped to the criteria, submitted, and accepted by the portfolio's assessor."""
    evidence = services.evidence_create(
        actor=portfolio.learner,
        portfolio=portfolio,
        type=EvidenceType.OBSERVATION,
        title=title,
        activity_date=datetime.date(2025, 10, 1),
        description="Observed on the shop floor.",
    )
    services.evidence_file_add(
        actor=portfolio.learner, evidence=evidence, uploaded=text_upload("notes.txt", "Notes.\n")
    )
    services.mappings_create(
        actor=portfolio.learner,
        evidence=evidence,
        commentaries={criterion: "I did this." for criterion in criteria},
        submit=True,
    )
    assessment.mappings_decide(
        actor=portfolio.assessor,
        evidence=evidence,
        requests=[
            assessment.DecisionRequest(
                m.pk, Outcome.ACCEPTED, "", None, assessment.Vacsr.confirmed()
            )
            for m in evidence.mappings.all()
        ],
    )
    return evidence


@pytest.fixture
def a2_accepted(ben_v1: Portfolio) -> Evidence:
    """Every criterion of version 1's EX-RET-A2 met by one observation; one A1 criterion too."""
    a2 = Unit.objects.get(reference="EX-RET-A2", version="1")
    evidence = accepted(ben_v1, list(a2.criteria.all()), title="Customer service observation")
    accepted(ben_v1, [criterion_of("EX-RET-A1", "1.1")], title="Safety check")
    return evidence


def mapped(portfolio: Portfolio) -> dict[str, list[tuple[str, str]]]:
    """Each piece of evidence's mappings as (unit version, criterion number), by title."""
    found: dict[str, list[tuple[str, str]]] = {}
    for mapping in Mapping.objects.filter(evidence__portfolio=portfolio).select_related(
        "evidence", "criterion__unit"
    ):
        found.setdefault(mapping.evidence.title, []).append(
            (mapping.criterion.unit.version, mapping.criterion.number)
        )
    return {title: sorted(items) for title, items in found.items()}


# The plan --------------------------------------------------------------------------------------


def test_the_plan_carries_unchanged_renumbered_and_same_meaning_criteria(
    ben_v1: Portfolio, a2_accepted: Evidence, v2: Qualification
) -> None:
    plan = versions.plan_move(ben_v1, v2)

    assert [(i.change.old_number, i.change.new_number) for i in plan.carried] == [
        ("1.1", "1.1"),
        ("1.4", "1.3"),
        ("2.1", "2.1"),
        ("2.2", "2.2"),
        ("2.3", "2.3"),
        ("2.4", "2.4"),
    ]
    assert all(item.to.unit.version == "2" for item in plan.carried)
    assert [(i.mapping.criterion.number, i.reason) for i in plan.left] == [
        ("1.2", "reworded in version 2 as 1.2, which may ask something new"),
        ("1.3", "the criterion was removed in version 2"),
    ]
    assert plan.staying == 1  # the A1 mapping: the same unit row in both versions


def test_the_plan_keeps_optional_units_still_optional(ben_v1: Portfolio, v2: Qualification) -> None:
    plan = versions.plan_move(ben_v1, v2)

    assert [o.choice.unit.reference for o in plan.choices_kept] == sorted(OPTIONAL)
    assert plan.choices_dropped == []
    assert plan.rule_problems == []


def test_the_plan_reads_a_fixed_number_of_queries(
    ben_v1: Portfolio, v2: Qualification, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    accepted(ben_v1, [criterion_of("EX-RET-A2", "1.1")], title="One")
    with django_assert_max_num_queries(14) as few:
        versions.plan_move(ben_v1, v2)
    a2 = Unit.objects.get(reference="EX-RET-A2", version="1")
    for n in range(5):
        accepted(ben_v1, list(a2.criteria.all()), title=f"Observation {n}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        plan = versions.plan_move(ben_v1, v2)
    assert len(plan.carried) == 1 + 5 * 6


# The move --------------------------------------------------------------------------------------


def test_moving_repoints_the_mappings_that_carry_and_keeps_their_decisions(
    ada: User, ben_v1: Portfolio, a2_accepted: Evidence, v2: Qualification
) -> None:
    decisions = Decision.objects.count()

    versions.portfolio_move(actor=ada, portfolio=ben_v1, target=v2)

    ben_v1.refresh_from_db()
    assert ben_v1.qualification == v2
    assert mapped(ben_v1) == {
        "Customer service observation": [
            ("1", "1.2"),
            ("1", "1.3"),
            ("2", "1.1"),
            ("2", "1.3"),
            ("2", "2.1"),
            ("2", "2.2"),
            ("2", "2.3"),
            ("2", "2.4"),
        ],
        "Safety check": [("1", "1.1")],
    }
    carried = Mapping.objects.filter(criterion__unit__version="2", evidence=a2_accepted)
    assert {m.status for m in carried} == {"accepted"}
    assert all(m.decisions.count() == 1 for m in carried)
    assert Decision.objects.count() == decisions


def test_after_the_move_carried_evidence_counts_towards_the_new_unit(
    ada: User, ben_v1: Portfolio, a2_accepted: Evidence, v2: Qualification
) -> None:
    versions.portfolio_move(actor=ada, portfolio=ben_v1, target=v2)
    ben_v1.refresh_from_db()

    a2 = next(u for u in portfolio_progress(ben_v1) if u.unit.reference == "EX-RET-A2")

    assert a2.unit.version == "2"
    assert (a2.met, a2.total) == (6, 8)  # 1.2 and the new 2.5 still to evidence


def test_moving_keeps_the_optional_units_chosen(
    ada: User, ben_v1: Portfolio, v2: Qualification
) -> None:
    before = set(ben_v1.unit_choices.values_list("unit_id", flat=True))

    versions.portfolio_move(actor=ada, portfolio=ben_v1, target=v2)

    assert set(ben_v1.unit_choices.values_list("unit_id", flat=True)) == before


def revise(v2: Qualification) -> Qualification:
    """A third version: EX-RET-B1 made mandatory, EX-RET-B2 revised as a new row, EX-RET-C2A
    gone; the other units as in version 2."""
    v2.is_current = False
    v2.save(update_fields=["is_current"])
    v3 = Qualification.objects.get(pk=v2.pk)
    v3.pk, v3.version, v3.sequence, v3.is_current = None, "3", 3, True
    v3.save()
    b2 = Unit.objects.get(reference="EX-RET-B2")
    b2_v2 = Unit.objects.get(pk=b2.pk)
    b2_v2.pk, b2_v2.version, b2_v2.sequence = None, "2", 2
    b2_v2.save()
    for link in QualificationUnit.objects.filter(qualification=v2).select_related("unit"):
        reference = link.unit.reference
        if reference == "EX-RET-C2A":
            continue
        QualificationUnit.objects.create(
            qualification=v3,
            unit=b2_v2 if reference == "EX-RET-B2" else link.unit,
            position=link.position,
            mandatory=link.mandatory or reference == "EX-RET-B1",
        )
    return v3


def test_choices_follow_their_unit_by_reference_or_are_dropped_and_listed(
    ada: User, ben_v1: Portfolio, v2: Qualification
) -> None:
    v3 = revise(v2)

    plan = versions.portfolio_move(actor=ada, portfolio=ben_v1, target=v3)

    chosen = dict(ben_v1.unit_choices.values_list("unit__reference", "unit__version"))
    assert chosen == {"EX-RET-B2": "2", "EX-RET-B4": "1", "EX-RET-C1B": "1"}
    assert [(o.choice.unit.reference, o.reason) for o in plan.choices_dropped] == [
        ("EX-RET-B1", "mandatory in version 3, so every learner takes it"),
        ("EX-RET-C2A", "not in version 3"),
    ]


def test_evidence_on_a_unit_the_new_version_drops_is_left_and_listed(
    ada: User, ben_v1: Portfolio, v2: Qualification
) -> None:
    accepted(ben_v1, [criterion_of("EX-RET-C2A", "1.1")], title="Online order log")
    v3 = revise(v2)

    plan = versions.portfolio_move(actor=ada, portfolio=ben_v1, target=v3)

    assert [(str(i.mapping.criterion), i.reason) for i in plan.left] == [
        ("EX-RET-C2A 1.1", "its unit is not part of version 3")
    ]
    assert mapped(ben_v1) == {"Online order log": [("1", "1.1")]}


def test_sign_offs_and_declarations_of_a_revised_unit_stay_as_history_to_be_made_again(
    ada: User, ben: User, asha: User, ben_v1: Portfolio, a2_accepted: Evidence, v2: Qualification
) -> None:
    a2_v1 = Unit.objects.get(reference="EX-RET-A2", version="1")
    assessment.unit_declare(actor=ben, portfolio=ben_v1, unit=a2_v1)
    sign_off = assessment.unit_sign_off(actor=asha, portfolio=ben_v1, unit=a2_v1)

    plan = versions.portfolio_move(actor=ada, portfolio=ben_v1, target=v2)

    assert [s.unit.reference for s in plan.sign_offs] == ["EX-RET-A2"]
    assert [d.unit.reference for d in plan.declarations] == ["EX-RET-A2"]
    sign_off.refresh_from_db()
    assert sign_off.revoked_at is None and sign_off.unit == a2_v1
    ben_v1.refresh_from_db()
    a2 = next(u for u in portfolio_progress(ben_v1) if u.unit.reference == "EX-RET-A2")
    assert (a2.sign_off, a2.declaration) == (None, None)
    assert UnitSignOff.objects.filter(portfolio=ben_v1).count() == 1


def test_the_move_is_audited_with_what_carried_and_what_did_not(
    ada: User, ben_v1: Portfolio, a2_accepted: Evidence, v2: Qualification
) -> None:
    versions.portfolio_move(actor=ada, portfolio=ben_v1, target=v2)

    entry = AuditEntry.objects.get(action="portfolio.move_version")
    assert (entry.actor, entry.portfolio) == (ada, ben_v1)
    lines = describe(entry).details
    assert lines[0] == "Qualification: EX-L3-RETAIL-DIP version 1 → EX-L3-RETAIL-DIP version 2"
    assert "Carried across: EX-RET-A2 1.4 → 1.3: “Customer service observation” (accepted)" in lines
    assert (
        "Not carried, for the assessor: EX-RET-A2 1.3: “Customer service observation” "
        "(accepted), the criterion was removed in version 2" in lines
    )
    assert sum(line.startswith("Carried across:") for line in lines) == 6
    assert sum(line.startswith("Optional unit kept:") for line in lines) == 5


def test_the_assessor_is_told(
    ada: User, asha: User, ben_v1: Portfolio, a2_accepted: Evidence, v2: Qualification
) -> None:
    versions.portfolio_move(actor=ada, portfolio=ben_v1, target=v2)

    [notification] = Notification.objects.filter(recipient=asha, message__contains="version 2")
    assert "6 mappings carried across, 2 left for you to look at" in notification.message


@pytest.mark.parametrize("who", ["asha", "ben", "iris", "oscar"])
def test_only_an_administrator_of_the_centre_moves_a_portfolio(
    request: pytest.FixtureRequest, who: str, ben_v1: Portfolio, a2_accepted: Evidence, v2
) -> None:
    actor = request.getfixturevalue(who)
    before = mapped(ben_v1)

    with pytest.raises(EnrolmentRefused, match="Only an administrator of the learner’s centre"):
        versions.portfolio_move(actor=actor, portfolio=ben_v1, target=v2)

    ben_v1.refresh_from_db()
    assert ben_v1.qualification.version == "1"
    assert mapped(ben_v1) == before
    assert not AuditEntry.objects.filter(action="portfolio.move_version").exists()


@pytest.mark.parametrize(
    ("target", "refusal"),
    [
        (lambda: version("1"), "This portfolio is already on version 1."),
        (
            lambda: Qualification.objects.get(reference="OCR-L3-RSSP-CERT"),
            "is not a version of Example Level 3 Diploma",
        ),
    ],
    ids=["its own version", "another qualification"],
)
def test_the_target_must_be_another_version_of_the_same_qualification(
    ada: User, ben_v1: Portfolio, target: Callable[[], Qualification], refusal: str
) -> None:
    with pytest.raises(EnrolmentRefused, match=refusal):
        versions.portfolio_move(actor=ada, portfolio=ben_v1, target=target())

    ben_v1.refresh_from_db()
    assert ben_v1.qualification.version == "1"


def test_a_learner_already_on_the_target_version_is_not_moved(
    ada: User, ben: User, ben_v1: Portfolio, a2_accepted: Evidence, v2: Qualification
) -> None:
    PortfolioFactory(learner=ben, qualification=v2)

    with pytest.raises(EnrolmentRefused, match="already has a portfolio on version 2"):
        versions.portfolio_move(actor=ada, portfolio=ben_v1, target=v2)

    assert mapped(ben_v1)["Customer service observation"][0] == ("1", "1.1")


def test_a_clash_found_only_when_saving_leaves_nothing_half_moved(
    ada: User,
    ben: User,
    ben_v1: Portfolio,
    a2_accepted: Evidence,
    v2: Qualification,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As if the learner were enrolled on version 2 between the check and the save."""
    PortfolioFactory(learner=ben, qualification=v2)
    monkeypatch.setattr(versions, "move_refusal", lambda *args: None)
    before = mapped(ben_v1)
    choices = set(ben_v1.unit_choices.values_list("pk", "unit_id"))

    with pytest.raises(EnrolmentRefused, match="at the same moment, so nothing was moved"):
        versions.portfolio_move(actor=ada, portfolio=ben_v1, target=v2)

    ben_v1.refresh_from_db()
    assert ben_v1.qualification.version == "1"
    assert mapped(ben_v1) == before
    assert set(ben_v1.unit_choices.values_list("pk", "unit_id")) == choices
    assert not AuditEntry.objects.filter(action="portfolio.move_version").exists()


def test_moving_back_to_the_earlier_version_carries_by_the_same_matching(
    ada: User, ben: User, asha: User, v2: Qualification, v1: Qualification
) -> None:
    portfolio = PortfolioFactory(learner=ben, qualification=v2, assessor=asha)
    accepted(
        portfolio,
        [criterion_of("EX-RET-A2", "1.3", "2"), criterion_of("EX-RET-A2", "2.5", "2")],
        title="Questions and feedback",
    )

    plan = versions.portfolio_move(actor=ada, portfolio=portfolio, target=v1)

    assert [(i.change.old_number, i.change.new_number) for i in plan.carried] == [("1.3", "1.4")]
    assert mapped(portfolio) == {"Questions and feedback": [("1", "1.4"), ("2", "2.5")]}


# Pages -----------------------------------------------------------------------------------------


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def move_url(portfolio: Portfolio) -> str:
    return reverse("enrolment:portfolio_version", args=[portfolio.pk])


def test_the_preview_lists_what_carries_and_what_does_not_and_changes_nothing(
    ada: User, ben_v1: Portfolio, a2_accepted: Evidence
) -> None:
    before = mapped(ben_v1)

    page = text_of(signed_in(ada).get(move_url(ben_v1)))

    assert "Evidence that carries across (6)" in page
    assert "EX-RET-A2 1.4 → 1.3" in page
    assert "Renumbered 1.4 → 1.3" in page
    assert "Evidence that does not carry across (2)" in page
    assert "Not carried: the criterion was removed in version 2." in page
    assert "Kept: EX-RET-B1" in page
    assert "Move to version 2" in page
    assert mapped(ben_v1) == before


def test_confirming_moves_the_portfolio_and_says_what_happened(
    ada: User, ben_v1: Portfolio, a2_accepted: Evidence, v2: Qualification
) -> None:
    response = signed_in(ada).post(move_url(ben_v1), {"target": v2.pk})

    assert response.status_code == 302
    assert response.url == reverse("assessment:portfolio_detail", args=[ben_v1.pk])
    assert messages_of(response) == [
        "Ben Brook’s portfolio is on version 2 now: 6 mappings carried across, 2 listed for "
        "the assessor."
    ]
    ben_v1.refresh_from_db()
    assert ben_v1.qualification == v2


def test_confirming_a_preview_of_another_version_moves_nothing(
    ada: User, ben_v1: Portfolio, v1: Qualification
) -> None:
    response = signed_in(ada).post(move_url(ben_v1), {"target": v1.pk})

    assert response.status_code == 302 and response.url == move_url(ben_v1)
    assert "The qualification has changed since that preview" in messages_of(response)[0]
    ben_v1.refresh_from_db()
    assert ben_v1.qualification.version == "1"


def test_a_refused_move_shows_why_without_a_button(
    ada: User, ben: User, ben_v1: Portfolio, v2: Qualification
) -> None:
    PortfolioFactory(learner=ben, qualification=v2)
    client = signed_in(ada)

    page = text_of(client.get(move_url(ben_v1)))
    response = client.post(move_url(ben_v1), {"target": v2.pk})

    assert "already has a portfolio on version 2" in page
    assert 'name="target"' not in page
    assert "already has a portfolio on version 2" in messages_of(response)[0]


def test_a_portfolio_on_the_newest_version_has_nowhere_to_move(
    ada: User, ben: User, v2: Qualification
) -> None:
    portfolio = PortfolioFactory(learner=ben, qualification=v2)
    client = signed_in(ada)

    assert "there is no newer one to move it to" in text_of(client.get(move_url(portfolio)))
    assert client.post(move_url(portfolio), {"target": v2.pk}).status_code == 200


@pytest.mark.parametrize(("who", "status"), [("asha", 403), ("ben", 403), ("oscar", 404)])
def test_only_the_centres_administrators_open_the_move_page(
    request: pytest.FixtureRequest, who: str, status: int, ben_v1: Portfolio, v2
) -> None:
    client = signed_in(request.getfixturevalue(who))

    assert client.get(move_url(ben_v1)).status_code == status
    assert client.post(move_url(ben_v1), {"target": v2.pk}).status_code == status
    ben_v1.refresh_from_db()
    assert ben_v1.qualification.version == "1"


def portfolio_page(user: User, portfolio: Portfolio) -> str:
    return text_of(signed_in(user).get(reverse("assessment:portfolio_detail", args=[portfolio.pk])))


def test_the_portfolio_page_offers_administrators_the_move_and_staff_the_diff(
    ada: User, asha: User, ben: User, ben_v1: Portfolio
) -> None:
    diff = reverse("qualifications:qualification_diff", args=[EXAMPLE, "1", "2"])

    for_ada, for_asha, for_ben = (portfolio_page(u, ben_v1) for u in (ada, asha, ben))

    assert "Version 2 of this qualification is out." in for_ben
    assert move_url(ben_v1) in for_ada and "Move to version 2" in for_ada
    assert move_url(ben_v1) not in for_asha and diff in for_asha
    assert move_url(ben_v1) not in for_ben and diff not in for_ben


def test_evidence_left_on_an_earlier_version_is_listed_on_the_portfolio_page(
    ada: User, asha: User, ben_v1: Portfolio, a2_accepted: Evidence, v2: Qualification
) -> None:
    assert "Evidence mapped to an earlier version" not in portfolio_page(asha, ben_v1)

    versions.portfolio_move(actor=ada, portfolio=ben_v1, target=v2)
    page = portfolio_page(asha, ben_v1)

    assert "Version 2 of this qualification is out." not in page
    start = page.index("Evidence mapped to an earlier version")
    section = page[start : page.index("</section>", start)]
    assert "EX-RET-A2 version 1" in section
    assert section.count("Customer service observation</a> (accepted)") == 2


def test_the_move_withdraws_the_iqas_countersignatures_which_stood_on_the_old_version(
    ada: User, iris: User, ben_v1: Portfolio, v2: Qualification
) -> None:
    # Written directly: what matters here is what the move does to a countersignature in force.
    whole = Countersignature.objects.create(portfolio=ben_v1, signed_by=iris, wording="Complete.")
    unit = Countersignature.objects.create(
        portfolio=ben_v1,
        unit=Unit.objects.get(reference="EX-RET-A2", version="1"),
        signed_by=iris,
        wording="Unit checked.",
    )

    shared = Unit.objects.filter(qualification_links__qualification=v2).get(
        qualification_links__qualification=ben_v1.qualification, reference="EX-RET-A1"
    )
    kept = Countersignature.objects.create(
        portfolio=ben_v1, unit=shared, signed_by=iris, wording="Unit checked."
    )
    preview = versions.plan_move(ben_v1, v2)
    assert {c.pk for c in preview.countersignatures} == {whole.pk, unit.pk}

    versions.portfolio_move(actor=ada, portfolio=ben_v1, target=v2)

    for countersignature in (whole, unit):
        countersignature.refresh_from_db()
        assert countersignature.revoked_by == ada
        assert "moved from" in countersignature.revoke_reason
    kept.refresh_from_db()
    assert kept.revoked_at is None  # a unit both versions share keeps its countersignature
    assert AuditEntry.objects.filter(action="countersignature.revoke").count() == 2
