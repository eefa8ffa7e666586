"""The catalogue pages: the current version of each qualification and unit by reference, any
version by its own address, with what a real specification states and an honest notice on
the illustrative ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from qualifications.models import AssessmentCriterion, LearningOutcome, Qualification, Unit
from qualifications.outline import GroupOutline
from tests.pages import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client: Client, catalogue: None, amy: User) -> Client:
    client.force_login(amy)
    return client


def test_catalogue_lists_all_three_qualifications(signed_in: Client) -> None:
    response = signed_in.get(reverse("qualifications:qualification_list"))
    for title in [
        "OCR Level 3 Certificate in Retail Skills (Sales Professional) (QCF)",
        "iCQ Level 3 Diploma in Retail Skills (Sales Professional)",
        "iCQ Level 3 Diploma in Retail Skills (Management)",
    ]:
        assert title in response.text


def test_qualification_page_lists_its_units_in_order_with_counts(signed_in: Client) -> None:
    response = signed_in.get(
        reverse("qualifications:qualification_detail", args=["OCR-L3-RSSP-CERT"])
    )
    links = list(response.context["qualification"].unit_links.all())
    assert [link.unit.reference for link in links] == ["RS-WWO", "RS-PDR"]
    assert [(link.outcome_total, link.criterion_total) for link in links] == [(5, 11), (3, 4)]
    assert "Oxford Cambridge and RSA Examinations" in response.text


def test_unit_page_shows_every_outcome_criterion_and_guidance_point(signed_in: Client) -> None:
    unit = Unit.objects.get(reference="RS-ICR")
    response = signed_in.get(reverse("qualifications:unit_detail", args=[unit.reference]))
    text = response.text
    for outcome in LearningOutcome.objects.filter(unit=unit):
        assert f"Outcome {outcome.number}:" in text
    for criterion in AssessmentCriterion.objects.filter(unit=unit):
        assert f'id="criterion-{criterion.number}"' in text
    for item in unit.guidance.all():
        assert item.text.replace("'", "&#x27;").replace('"', "&quot;")[:60] in text
    assert "Part of" in text
    assert "iCQ Level 3 Diploma in Retail Skills (Management)" in text


def test_unit_page_escapes_catalogue_text(signed_in: Client) -> None:
    criterion = AssessmentCriterion.objects.get(unit__reference="RS-PDR", number="1.1")
    criterion.text = "<script>alert(1)</script>"
    criterion.save()
    response = signed_in.get(reverse("qualifications:unit_detail", args=["RS-PDR"]))
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text


EXAMPLE = "EX-L3-RETAIL-DIP"


def qualification_page(client: Client, reference: str, version: str | None = None) -> Any:
    if version is None:
        return client.get(reverse("qualifications:qualification_detail", args=[reference]))
    return client.get(reverse("qualifications:qualification_version", args=[reference, version]))


def unit_page(client: Client, reference: str, version: str | None = None) -> Any:
    if version is None:
        return client.get(reverse("qualifications:unit_detail", args=[reference]))
    return client.get(reverse("qualifications:unit_version", args=[reference, version]))


# The list ------------------------------------------------------------------------------------


def test_the_list_shows_only_current_versions_with_their_version(signed_in: Client) -> None:
    response = signed_in.get(reverse("qualifications:qualification_list"))
    listed = [(q.reference, q.version) for q in response.context["qualifications"]]
    assert sorted(listed) == sorted(
        Qualification.objects.current().values_list("reference", "version")
    )
    assert (EXAMPLE, "2") in listed and (EXAMPLE, "1") not in listed
    assert text_of(response).count("Example Level 3 Diploma in Retail Operations") == 1


def test_the_list_marks_each_illustrative_qualification(signed_in: Client) -> None:
    Qualification.objects.filter(reference="ICQ-L3-RSM-DIP").update(is_illustrative=False)
    response = signed_in.get(reverse("qualifications:qualification_list"))
    rows = text_of(response).split("<tr>")[2:]
    marked = {row.split('">', 2)[1].split("<")[0]: "Illustrative" in row for row in rows}
    assert marked["iCQ Level 3 Diploma in Retail Skills (Management)"] is False
    assert marked["Example Level 3 Diploma in Retail Operations (invented)"] is True
    assert marked["OCR Level 3 Certificate in Retail Skills (Sales Professional) (QCF)"] is True


# A qualification -----------------------------------------------------------------------------


def test_the_reference_alone_shows_the_current_version(signed_in: Client) -> None:
    response = qualification_page(signed_in, EXAMPLE)
    assert response.context["qualification"].version == "2"
    assert response.context["qualification"].is_current


def test_a_qualification_page_states_what_the_specification_states(signed_in: Client) -> None:
    text = text_of(qualification_page(signed_in, EXAMPLE))
    for label, value in [
        ("Version", "2"),
        ("Source", "Example Retail Operations Diploma specification, issue 2, 2 June 2025"),
        ("Ofqual number", "000/0000/0"),
        ("Level", "Level 3"),
        ("Credits", "30"),
        ("Guided learning hours", "190"),
        ("Total qualification time", "300 hours"),
        ("Operational end date", "31 August 2029"),
    ]:
        assert f'>{label}</dt><dd class="col-sm-8 col-lg-9">{value}</dd>' in text, label


def test_an_illustrative_qualification_says_so_with_its_note(signed_in: Client) -> None:
    qualification = Qualification.objects.get(reference=EXAMPLE, is_current=True)
    text = text_of(qualification_page(signed_in, EXAMPLE))
    assert "Illustrative: not an awarding body's specification" in text
    assert qualification.illustrative_note in text
    assert "This qualification is invented." in text


def test_a_seed_qualification_says_it_was_built_from_revision_notes(signed_in: Client) -> None:
    text = text_of(qualification_page(signed_in, "OCR-L3-RSSP-CERT"))
    assert "Illustrative: not an awarding body's specification" in text
    assert "Built by this project from revision notes about its units" in text
    assert (
        "Every unit is mandatory: there are no optional units and no rules of combination." in text
    )


def test_what_a_specification_leaves_out_is_named_once(signed_in: Client) -> None:
    response = qualification_page(signed_in, "OCR-L3-RSSP-CERT")
    assert response.context["unstated"] == [
        "source",
        "Ofqual number",
        "credits",
        "guided learning hours",
        "total qualification time",
        "operational end date",
    ]
    text = text_of(response)
    assert (
        '>Not stated</dt><dd class="col-sm-8 col-lg-9">Source, Ofqual number, credits, guided '
        "learning hours, total qualification time, operational end date</dd>"
    ) in text
    assert ">Ofqual number</dt>" not in text
    assert "Not stated" not in text_of(qualification_page(signed_in, EXAMPLE))


def test_a_qualification_from_a_real_specification_has_no_notice(signed_in: Client) -> None:
    Qualification.objects.filter(reference="OCR-L3-RSSP-CERT").update(
        is_illustrative=False, illustrative_note=""
    )
    text = text_of(qualification_page(signed_in, "OCR-L3-RSSP-CERT"))
    assert "Illustrative" not in text


def outline(groups: list[GroupOutline]) -> list[tuple[Any, ...]]:
    return [
        (
            group.label,
            group.limits,
            [link.unit.reference for link in group.links],
            outline(group.children),
        )
        for group in groups
    ]


def test_the_rules_of_combination_are_a_nested_list_with_limits_in_words(
    signed_in: Client,
) -> None:
    response = qualification_page(signed_in, EXAMPLE)
    assert outline(response.context["rules"].groups) == [
        ("Group A", ["all 3 units"], ["EX-RET-A1", "EX-RET-A2", "EX-RET-A3"], []),
        (
            "Group B",
            ["at least 10 credits"],
            ["EX-RET-B1", "EX-RET-B2", "EX-RET-B3", "EX-RET-B4"],
            [],
        ),
        (
            "Group C",
            ["at most 8 credits"],
            [],
            [
                ("Group C1", ["at most 3 credits"], ["EX-RET-C1A", "EX-RET-C1B"], []),
                ("Group C2", ["at most 7 credits"], ["EX-RET-C2A", "EX-RET-C2B"], []),
            ],
        ),
    ]
    text = text_of(response)
    assert '<strong class="rule-group-name">Group C</strong>: at most 8 credits</h3>' in text
    assert '<strong class="rule-group-name">Group C1</strong>: at most 3 credits</h4>' in text
    # C1 is listed inside C's item, before C's item closes and before the versions.
    group_c = text.index("Group C</strong>")
    assert group_c < text.index("Group C1</strong>") < text.index("Group C2</strong>")
    assert text.index("Group C2</strong>") < text.index('id="versions-heading"')


def test_the_overall_rules_and_the_barred_pair_are_stated(signed_in: Client) -> None:
    text = text_of(qualification_page(signed_in, EXAMPLE))
    assert "At least 30 credits in all." in text
    assert "At least 16 credits at Level 3 or above." in text
    assert (
        "<li>Barred together: EX-RET-B3 (Handle cash and process payments) and EX-RET-C1A "
        "(Use a till and payment system) may not both be taken.</li>"
    ) in text


def test_each_unit_shows_level_credits_and_whether_it_is_mandatory(signed_in: Client) -> None:
    response = qualification_page(signed_in, EXAMPLE)
    links = {
        link.unit.reference: link for link in response.context["qualification"].unit_links.all()
    }
    assert {ref for ref, link in links.items() if link.mandatory} == {
        "EX-RET-A1",
        "EX-RET-A2",
        "EX-RET-A3",
    }
    text = text_of(response)
    a1 = text[text.index(">Health, safety and security in a retail store</a>") :]
    a1 = a1.split("</li>")[0]
    assert "Mandatory" in a1
    assert "EX-RET-A1 · Level 2 · 3 credits" in " ".join(a1.split())
    b1 = text[text.index(links["EX-RET-B1"].unit.title + "</a>") :].split("</li>")[0]
    assert "Optional" in b1 and "Mandatory" not in b1


@pytest.mark.parametrize(("version", "unit_version"), [("1", "1"), ("2", "2")])
def test_each_version_links_the_unit_versions_it_links(
    signed_in: Client, version: str, unit_version: str
) -> None:
    text = text_of(qualification_page(signed_in, EXAMPLE, version))
    revised = reverse("qualifications:unit_version", args=["EX-RET-A2", unit_version])
    unchanged = reverse("qualifications:unit_version", args=["EX-RET-A1", "1"])
    assert f'href="{revised}"' in text
    assert f'href="{unchanged}"' in text


def test_the_versions_are_listed_with_the_current_one_marked(signed_in: Client) -> None:
    response = qualification_page(signed_in, EXAMPLE, "1")
    assert [(v.version, v.is_current) for v in response.context["versions"]] == [
        ("1", False),
        ("2", True),
    ]
    text = text_of(response)
    versions = text[text.index('id="versions-heading"') :]
    assert '<span aria-current="page"><strong>Version 1</strong> (this page)</span>' in versions
    v2 = reverse("qualifications:qualification_version", args=[EXAMPLE, "2"])
    assert f'<a href="{v2}">Version 2</a>' in versions
    assert versions.index("Version 2") < versions.index("Current")
    assert "registrations until 31 August 2027" in versions


def test_an_earlier_version_points_to_the_current_one(signed_in: Client) -> None:
    text = text_of(qualification_page(signed_in, EXAMPLE, "1"))
    assert "This is an earlier version." in text
    assert "31 August 2027" in text
    assert "This is an earlier version." not in text_of(qualification_page(signed_in, EXAMPLE))


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("qualifications:qualification_version", [EXAMPLE, "9"]),
        ("qualifications:qualification_version", ["NO-SUCH", "1"]),
        ("qualifications:unit_version", ["EX-RET-A2", "3"]),
        ("qualifications:unit_version", ["NO-SUCH", "1"]),
    ],
)
def test_an_unknown_version_is_not_found(signed_in: Client, name: str, args: list[str]) -> None:
    assert signed_in.get(reverse(name, args=args)).status_code == 404


def test_absolute_urls_name_the_version(catalogue: None) -> None:
    qualification = Qualification.objects.get(reference=EXAMPLE, version="1")
    unit = Unit.objects.get(reference="EX-RET-A2", version="2")
    assert qualification.get_absolute_url() == f"/catalogue/{EXAMPLE}/versions/1/"
    assert unit.get_absolute_url() == "/catalogue/units/EX-RET-A2/versions/2/"


# A unit --------------------------------------------------------------------------------------


def test_a_unit_page_states_what_the_specification_states(signed_in: Client) -> None:
    text = text_of(unit_page(signed_in, "EX-RET-A1"))
    for label, value in [
        ("Version", "1"),
        ("Source", "Example Retail Operations Diploma specification, issue 1, 1 September 2024"),
        ("Ofqual unit reference", "A/000/0001"),
        ("Unit number", "E201"),
        ("Level", "Level 2"),
        ("Credits", "3"),
        ("Guided learning hours", "20"),
    ]:
        assert f'>{label}</dt><dd class="col-sm-8 col-lg-9">{value}</dd>' in text, label
    assert "The learner understands their part in keeping a store safe" in text
    assert (
        "Learning outcome 2 must be assessed in the workplace; simulation is not allowed." in text
    )
    assert "Knowledge (know or understand)" in text and "Skills (be able to)" in text


def test_a_seed_unit_names_what_its_notes_leave_out(signed_in: Client) -> None:
    response = unit_page(signed_in, "RS-PDR")
    assert response.context["unstated"] == [
        "source",
        "Ofqual unit reference",
        "unit number",
        "credits",
        "guided learning hours",
    ]


def test_a_unit_page_shows_range_statements(signed_in: Client) -> None:
    text = text_of(unit_page(signed_in, "EX-RET-A1"))
    criterion = text[text.index('id="criterion-1.2"') :].split("</li>")[0]
    assert "<strong>Range:</strong> Hazards: spillages, trailing cables" in criterion


def test_a_graded_unit_labels_each_criterion_with_its_band(signed_in: Client) -> None:
    response = unit_page(signed_in, "EX-RET-A3")
    text = text_of(response)
    assert [band.sentence for band in response.context["grade_bands"]] == [
        "Pass needs P1, P2 and P3.",
        "Merit also needs M1 and M2.",
        "Distinction also needs D1.",
    ]
    assert "Pass needs P1, P2 and P3." in text
    for number, label in [("P1", "Pass"), ("M2", "Merit"), ("D1", "Distinction")]:
        item = text[text.index(f'id="criterion-{number}"') :].split("</li>")[0]
        assert f">{label}</span>" in item, number


def test_an_ungraded_unit_shows_no_grading(signed_in: Client) -> None:
    response = unit_page(signed_in, "EX-RET-A1")
    assert response.context["grade_bands"] == []
    assert "How this unit is graded" not in response.text


def test_a_unit_reference_shows_its_current_version_and_links_the_others(
    signed_in: Client,
) -> None:
    current = unit_page(signed_in, "EX-RET-A2")
    assert current.context["unit"].version == "2"
    old = unit_page(signed_in, "EX-RET-A2", "1")
    assert old.context["unit"].version == "1"
    assert 'id="criterion-1.4"' in old.text and 'id="criterion-1.4"' not in current.text
    assert "This is an earlier version of the unit." in old.text
    v2 = reverse("qualifications:unit_version", args=["EX-RET-A2", "2"])
    assert f'<a href="{v2}">Version 2</a>' in old.text


def test_a_unit_page_lists_the_qualification_versions_that_link_it(signed_in: Client) -> None:
    text = text_of(unit_page(signed_in, "EX-RET-A1"))
    for version in ("1", "2"):
        url = reverse("qualifications:qualification_version", args=[EXAMPLE, version])
        assert f'href="{url}"' in text
    old_a2 = text_of(unit_page(signed_in, "EX-RET-A2", "1"))
    v2 = reverse("qualifications:qualification_version", args=[EXAMPLE, "2"])
    assert f'href="{v2}"' not in old_a2.split('id="versions-heading"')[0]


def test_a_unit_of_an_illustrative_qualification_carries_its_note(signed_in: Client) -> None:
    text = text_of(unit_page(signed_in, "RS-ICR"))
    assert "Illustrative: not an awarding body's specification" in text
    assert "This unit belongs to an illustrative qualification:" in text
    assert text.count("Built by this project from revision notes about one of its units") == 1


# Queries -------------------------------------------------------------------------------------

# Signed-in pages run four queries of their own (session, user, roles, unread notifications).
PAGE_QUERIES = {
    "qualifications:qualification_list": 4 + 1,
    # qualification, units, groups, barred pairs, versions
    "qualifications:qualification_detail": 4 + 5,
    # unit, outcomes, criteria, guidance, qualifications, versions
    "qualifications:unit_detail": 4 + 6,
}


@pytest.mark.parametrize(
    ("name", "reference"),
    [
        ("qualifications:qualification_detail", "ICQ-L3-RSSP-DIP"),
        ("qualifications:qualification_detail", "OCR-L3-RSSP-CERT"),
        ("qualifications:qualification_detail", EXAMPLE),
        ("qualifications:unit_detail", "RS-PDR"),
        ("qualifications:unit_detail", "RS-ICR"),
        ("qualifications:unit_detail", "EX-RET-A3"),
    ],
)
def test_catalogue_pages_run_a_fixed_number_of_queries(
    signed_in: Client,
    django_assert_num_queries: Callable[..., Any],
    name: str,
    reference: str,
) -> None:
    with django_assert_num_queries(PAGE_QUERIES[name]):
        assert signed_in.get(reverse(name, args=[reference])).status_code == 200


def test_version_pages_run_as_many_queries_as_current_ones(
    signed_in: Client, django_assert_num_queries: Callable[..., Any]
) -> None:
    for name, args in [
        ("qualifications:qualification_version", [EXAMPLE, "1"]),
        ("qualifications:unit_version", ["EX-RET-A2", "1"]),
    ]:
        expected = PAGE_QUERIES[name.replace("_version", "_detail")]
        with django_assert_num_queries(expected):
            assert signed_in.get(reverse(name, args=args)).status_code == 200


@pytest.mark.parametrize("extra", [0, 12])
def test_the_qualification_list_runs_a_fixed_number_of_queries(
    signed_in: Client, django_assert_num_queries: Callable[..., Any], extra: int
) -> None:
    template = Qualification.objects.get(reference="ICQ-L3-RSM-DIP")
    for n in range(extra):
        Qualification.objects.create(
            reference=f"EXTRA-{n}",
            awarding_body=template.awarding_body,
            title=f"Extra {n}",
            level="3",
            framework="RQF",
        )
    with django_assert_num_queries(PAGE_QUERIES["qualifications:qualification_list"]):
        response = signed_in.get(reverse("qualifications:qualification_list"))
    assert len(response.context["qualifications"]) == 4 + extra


def test_the_home_page_lists_current_versions_with_their_level_in_words(
    signed_in: Client,
) -> None:
    text = text_of(signed_in.get(reverse("dashboards:home")))
    assert text.count("Example Level 3 Diploma in Retail Operations") == 1
    assert "iCan Qualifications Limited (iCQ) · Level 3 · RQF" in text
