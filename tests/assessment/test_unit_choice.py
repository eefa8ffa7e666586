"""Choosing and removing optional units: who may, what the rules of combination refuse and why,
the audit trail, and the units page everyone who sees the portfolio reads."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from assessment import services as assessment
from assessment.choices import unit_choices
from portfolio.audit import describe
from portfolio.errors import ActionRefused
from portfolio.models import AuditEntry, Portfolio, UnitChoice
from qualifications.models import Qualification, Unit
from tests.factories import PortfolioFactory
from tests.journeys import add_evidence, sign_off, submit
from tests.pages import messages_of, text_of

pytestmark = pytest.mark.django_db

DIPLOMA = "EX-L3-RETAIL-DIP"


@pytest.fixture
def diploma(catalogue: None) -> Qualification:
    """The invented diploma's current version: A mandatory; B at least 10 credits; C at most 8,
    C1 at most 3 and C2 at most 7; B3 barred with C1A."""
    return Qualification.objects.current().get(reference=DIPLOMA)


@pytest.fixture
def portfolio(amy: User, asha: User, tom: User, diploma: Qualification) -> Portfolio:
    return PortfolioFactory(learner=amy, qualification=diploma, assessor=asha, tutor=tom)


def unit(qualification: Qualification, reference: str) -> Unit:
    return qualification.units.get(reference=reference)


def chosen(portfolio: Portfolio) -> list[str]:
    return sorted(
        UnitChoice.objects.filter(portfolio=portfolio).values_list("unit__reference", flat=True)
    )


def choose(actor: User, portfolio: Portfolio, *references: str) -> None:
    for reference in references:
        assessment.choose_unit(
            actor=actor, portfolio=portfolio, unit=unit(portfolio.qualification, reference)
        )


def refused_choice(actor: User, portfolio: Portfolio, reference: str) -> str:
    """The message choosing the unit is refused with; nothing is written."""
    before = (chosen(portfolio), AuditEntry.objects.count())
    with pytest.raises(ActionRefused) as refusal:
        choose(actor, portfolio, reference)
    assert (chosen(portfolio), AuditEntry.objects.count()) == before
    return refusal.value.message


def refused_removal(actor: User, portfolio: Portfolio, reference: str) -> str:
    before = (chosen(portfolio), AuditEntry.objects.count())
    with pytest.raises(ActionRefused) as refusal:
        assessment.remove_unit(
            actor=actor, portfolio=portfolio, unit=unit(portfolio.qualification, reference)
        )
    assert (chosen(portfolio), AuditEntry.objects.count()) == before
    return refusal.value.message


# Choosing and removing -------------------------------------------------------------------------


def test_the_assessor_chooses_an_optional_unit_and_the_choice_is_audited(
    asha: User, portfolio: Portfolio
) -> None:
    choose(asha, portfolio, "EX-RET-B1")

    [choice] = UnitChoice.objects.filter(portfolio=portfolio)
    assert (choice.unit.reference, choice.chosen_by) == ("EX-RET-B1", asha)
    [entry] = AuditEntry.objects.filter(portfolio=portfolio)
    line = describe(entry)
    assert (line.who, line.what, line.subject) == (
        "Asha Patel",
        "Chose an optional unit",
        "EX-RET-B1 Control stock levels and stock rotation",
    )
    assert line.details == ["Unit: EX-RET-B1", "Group: B"]


def test_a_centre_administrator_chooses_and_removes_and_each_is_audited(
    ada: User, portfolio: Portfolio
) -> None:
    choose(ada, portfolio, "EX-RET-C2A")
    assessment.remove_unit(
        actor=ada, portfolio=portfolio, unit=unit(portfolio.qualification, "EX-RET-C2A")
    )

    assert chosen(portfolio) == []
    lines = [describe(e) for e in AuditEntry.objects.filter(portfolio=portfolio).order_by("pk")]
    assert [(line.who, line.what, line.details) for line in lines] == [
        ("Ada Price", "Chose an optional unit", ["Unit: EX-RET-C2A", "Group: C2"]),
        ("Ada Price", "Removed an optional unit", ["Unit: EX-RET-C2A", "Group: C2"]),
    ]


@pytest.mark.parametrize("who", ["amy", "tom", "iris", "sam", "oscar"])
def test_only_the_assessor_or_an_administrator_of_the_centre_may_choose(
    who: str, portfolio: Portfolio, request: pytest.FixtureRequest
) -> None:
    """The learner, the tutor, an IQA, another assessor and another centre's administrator
    (Oscar) are all refused."""
    actor = request.getfixturevalue(who)

    message = refused_choice(actor, portfolio, "EX-RET-B1")

    assert message == (
        "Only the learner’s assessor or a centre administrator can change the optional units."
    )


def test_only_the_assessor_or_an_administrator_may_remove(
    asha: User, tom: User, portfolio: Portfolio
) -> None:
    choose(asha, portfolio, "EX-RET-B1")

    assert refused_removal(tom, portfolio, "EX-RET-B1").startswith("Only the learner’s assessor")


def test_a_unit_of_another_qualification_is_refused(
    asha: User, portfolio: Portfolio, ocr: Qualification
) -> None:
    with pytest.raises(ActionRefused) as refusal:
        assessment.choose_unit(actor=asha, portfolio=portfolio, unit=unit(ocr, "RS-WWO"))

    assert refusal.value.message == (
        "RS-WWO is not a unit of Example Level 3 Diploma in Retail Operations (invented): "
        "choose one of the units listed on this page."
    )
    assert chosen(portfolio) == []


def test_a_mandatory_unit_cannot_be_chosen(asha: User, portfolio: Portfolio) -> None:
    assert refused_choice(asha, portfolio, "EX-RET-A1") == (
        "EX-RET-A1 is already mandatory: every learner on this qualification takes it, so "
        "there is nothing to choose."
    )


def test_a_unit_cannot_be_chosen_twice(asha: User, portfolio: Portfolio) -> None:
    choose(asha, portfolio, "EX-RET-B1")

    assert refused_choice(asha, portfolio, "EX-RET-B1") == "EX-RET-B1 is already chosen."


def test_half_of_a_barred_pair_is_refused_naming_the_other_half(
    asha: User, portfolio: Portfolio
) -> None:
    choose(asha, portfolio, "EX-RET-B3")

    assert refused_choice(asha, portfolio, "EX-RET-C1A") == (
        "EX-RET-C1A cannot be taken with EX-RET-B3, which is already chosen."
    )


@pytest.mark.parametrize(
    ("already", "adding", "message"),
    [
        (["EX-RET-C1B"], "EX-RET-C1A", "Group C1 allows at most 3 credits; this would make 5."),
        (
            ["EX-RET-C2A", "EX-RET-C2B"],
            "EX-RET-C1B",
            "Group C allows at most 8 credits; this would make 10.",
        ),
    ],
    ids=["inner group", "outer group"],
)
def test_a_group_maximum_is_refused_with_the_limit_and_the_count(
    asha: User, portfolio: Portfolio, already: list[str], adding: str, message: str
) -> None:
    choose(asha, portfolio, *already)

    assert refused_choice(asha, portfolio, adding) == message


def test_a_unit_that_would_leave_the_rules_impossible_to_meet_is_refused(
    asha: User, portfolio: Portfolio, diploma: Qualification
) -> None:
    """At 35 credits every group-C choice but the largest falls short: with C1A, C can give at
    most 6 credits (C1A and C2B), so the total can reach only 34."""
    Qualification.objects.filter(pk=diploma.pk).update(min_credits=35)

    message = refused_choice(asha, portfolio, "EX-RET-C1A")

    assert message.startswith(
        "With this unit no choice of the remaining units can meet the rules: the qualification "
        "needs at least 35 credits"
    )
    assert message.endswith(".")


def test_a_unit_not_chosen_or_mandatory_cannot_be_removed(asha: User, portfolio: Portfolio) -> None:
    assert refused_removal(asha, portfolio, "EX-RET-B1") == (
        "EX-RET-B1 is not chosen, so there is nothing to remove."
    )
    assert refused_removal(asha, portfolio, "EX-RET-A1") == (
        "EX-RET-A1 is mandatory: every learner on this qualification takes it."
    )


def test_a_unit_with_evidence_mapped_to_it_cannot_be_removed(
    asha: User, portfolio: Portfolio
) -> None:
    choose(asha, portfolio, "EX-RET-B1")
    stock = unit(portfolio.qualification, "EX-RET-B1")
    submit(add_evidence(portfolio), *stock.criteria.order_by("position")[:2])

    assert refused_removal(asha, portfolio, "EX-RET-B1") == (
        "EX-RET-B1 cannot be removed: it has 2 mappings of evidence to its criteria. A unit "
        "with work towards it stays in the portfolio."
    )


def test_a_signed_off_unit_cannot_be_removed_and_the_refusal_says_what_it_holds(
    asha: User, portfolio: Portfolio
) -> None:
    choose(asha, portfolio, "EX-RET-C2A")
    c2a = unit(portfolio.qualification, "EX-RET-C2A")
    sign_off(portfolio, c2a)
    mappings = c2a.criteria.count()

    assert refused_removal(asha, portfolio, "EX-RET-C2A") == (
        f"EX-RET-C2A cannot be removed: it has {mappings} mappings of evidence to its criteria, "
        "the learner’s declaration and the assessor’s sign-off. A unit with work towards it "
        "stays in the portfolio."
    )


# What the page reads ---------------------------------------------------------------------------


def test_the_choices_list_mandatory_chosen_and_open_units_with_reasons(
    asha: User, portfolio: Portfolio
) -> None:
    choose(asha, portfolio, "EX-RET-B3", "EX-RET-C1B")

    choices = unit_choices(portfolio)

    assert [u.reference for u in choices.mandatory] == ["EX-RET-A1", "EX-RET-A2", "EX-RET-A3"]
    assert [(c.unit.reference, c.group) for c in choices.chosen] == [
        ("EX-RET-B3", "B"),
        ("EX-RET-C1B", "C1"),
    ]
    remaining = {
        section.status.name: [(u.unit.reference, u.reason) for u in section.remaining]
        for section in choices.sections
    }
    assert "A" not in remaining  # a group of mandatory units offers no choice
    assert remaining["B"] == [("EX-RET-B1", None), ("EX-RET-B2", None), ("EX-RET-B4", None)]
    assert remaining["C"] == []
    assert remaining["C1"] == [
        ("EX-RET-C1A", "Group C1 allows at most 3 credits; this would make 5.")
    ]
    assert remaining["C2"] == [("EX-RET-C2A", None), ("EX-RET-C2B", None)]
    assert choices.open_count == 5
    [group_b] = [s.status for s in choices.sections if s.status.name == "B"]
    assert (group_b.chosen_credits, group_b.min_credits) == (3, 10)
    assert "Group B needs at least 10 credits; this choice has 3." in choices.problems


def test_a_qualification_without_optional_units_offers_no_choice(amy_portfolio: Portfolio) -> None:
    choices = unit_choices(amy_portfolio)

    assert [u.reference for u in choices.mandatory] == ["RS-WWO", "RS-PDR"]
    assert not choices.has_optional


# The page --------------------------------------------------------------------------------------


def units_url(portfolio: Portfolio) -> str:
    return reverse("assessment:portfolio_units", args=[portfolio.pk])


def post(client: Client, portfolio: Portfolio, action: str, reference: str) -> Any:
    return client.post(
        units_url(portfolio),
        {"action": action, "unit": unit(portfolio.qualification, reference).pk},
    )


@pytest.mark.parametrize("who", ["amy", "tom", "iris"])
def test_the_learner_tutor_and_iqa_read_the_page_without_controls(
    who: str, asha: User, portfolio: Portfolio, client: Client, request: pytest.FixtureRequest
) -> None:
    choose(asha, portfolio, "EX-RET-B3")
    client.force_login(request.getfixturevalue(who))

    response = client.get(units_url(portfolio))

    page = text_of(response)
    assert response.status_code == 200
    assert "Units and rules of combination" in page
    assert "EX-RET-C1A cannot be taken with EX-RET-B3, which is already chosen." in page
    assert "Open" in page
    assert 'name="action"' not in page


@pytest.mark.parametrize("who", ["amy", "tom", "iris"])
def test_readers_cannot_change_the_choice_by_posting(
    who: str, portfolio: Portfolio, client: Client, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    assert post(client, portfolio, "choose", "EX-RET-B1").status_code == 403
    assert chosen(portfolio) == []


def test_the_assessor_chooses_then_removes_on_the_page(
    asha: User, portfolio: Portfolio, client: Client
) -> None:
    client.force_login(asha)
    page = text_of(client.get(units_url(portfolio)))
    assert 'id="choose-EX-RET-B1"' in page

    response = post(client, portfolio, "choose", "EX-RET-B1")

    assert response.status_code == 302
    assert response["Location"] == units_url(portfolio)
    assert messages_of(response) == [
        "Chose optional unit EX-RET-B1 Control stock levels and stock rotation."
    ]
    assert chosen(portfolio) == ["EX-RET-B1"]
    assert 'id="remove-EX-RET-B1"' in text_of(client.get(units_url(portfolio)))

    response = post(client, portfolio, "remove", "EX-RET-B1")

    assert response.status_code == 302
    assert chosen(portfolio) == []


def test_a_refused_choice_is_shown_in_an_error_summary_and_nothing_changes(
    asha: User, portfolio: Portfolio, client: Client
) -> None:
    choose(asha, portfolio, "EX-RET-B3")
    client.force_login(asha)

    response = post(client, portfolio, "choose", "EX-RET-C1A")

    page = text_of(response)
    assert response.status_code == 200
    summary = page[page.index('class="alert alert-danger error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert "autofocus" in summary and 'tabindex="-1"' in summary
    assert "EX-RET-C1A was not chosen" in summary
    assert (
        '<a class="alert-link" href="#choose-EX-RET-C1A">'
        "EX-RET-C1A cannot be taken with EX-RET-B3, which is already chosen.</a>"
    ) in summary
    # The unit's button is described by its reason, which now holds the refusal too.
    assert 'aria-describedby="reason-EX-RET-C1A"' in page
    reason = page[page.index('id="reason-EX-RET-C1A"') :]
    reason = reason[: reason.index("</p>")]
    assert '<strong class="text-danger" id="error-EX-RET-C1A">' in reason
    assert reason.count("cannot be taken with") == 1
    assert chosen(portfolio) == ["EX-RET-B3"]


def test_a_refused_removal_links_to_the_remove_button(
    asha: User, portfolio: Portfolio, client: Client
) -> None:
    choose(asha, portfolio, "EX-RET-B1")
    stock = unit(portfolio.qualification, "EX-RET-B1")
    submit(add_evidence(portfolio), stock.criteria.first())
    client.force_login(asha)

    page = text_of(post(client, portfolio, "remove", "EX-RET-B1"))

    assert (
        '<a class="alert-link" href="#remove-EX-RET-B1">'
        "EX-RET-B1 cannot be removed: it has 1 mapping" in page
    )
    assert chosen(portfolio) == ["EX-RET-B1"]


@pytest.mark.parametrize(
    "sent",
    [{}, {"action": "choose", "unit": "abc"}, {"action": "delete", "unit": "1"}],
    ids=["nothing", "not an id", "unknown action"],
)
def test_a_post_naming_no_unit_says_what_to_do(
    asha: User, portfolio: Portfolio, client: Client, sent: dict[str, str]
) -> None:
    client.force_login(asha)

    response = client.post(units_url(portfolio), sent)

    assert response.status_code == 200
    assert "Choose a unit from the list below, then press its Choose or Remove button." in (
        text_of(response)
    )
    assert chosen(portfolio) == []


def test_another_centres_portfolio_is_not_found(
    oscar: User, portfolio: Portfolio, client: Client
) -> None:
    client.force_login(oscar)

    assert client.get(units_url(portfolio)).status_code == 404
    assert post(client, portfolio, "choose", "EX-RET-B1").status_code == 404
    assert chosen(portfolio) == []


def test_the_portfolio_page_links_to_the_units_page(
    as_amy: Client, amy_portfolio: Portfolio
) -> None:
    assert f'href="{units_url(amy_portfolio)}"' in text_of(
        as_amy.get(reverse("assessment:portfolio_detail", args=[amy_portfolio.pk]))
    )


def test_the_units_page_runs_the_same_queries_with_one_choice_and_several(
    asha: User, portfolio: Portfolio, client: Client, django_assert_max_num_queries: Any
) -> None:
    client.force_login(asha)
    choose(asha, portfolio, "EX-RET-B1")
    with django_assert_max_num_queries(16) as one:
        client.get(units_url(portfolio))
    choose(asha, portfolio, "EX-RET-B2", "EX-RET-C1B", "EX-RET-C2A")
    with django_assert_max_num_queries(len(one)):
        client.get(units_url(portfolio))
