"""The YAML fixtures in fixtures/qualifications/ load into the catalogue the documents describe."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from qualifications.models import AssessmentCriterion, GuidanceItem, Qualification, Unit

pytestmark = pytest.mark.django_db

# Every criterion number of each unit, in catalogue order.
CRITERION_NUMBERS = {
    "RS-WWO": "1.1 1.2 2.1 2.2 2.3 3.1 3.2 3.3 4.1 4.2 5.1",
    "RS-PDR": "1.1 1.2 2.1 3.1",
    "RS-ICR": "1.1 1.2 2.1 2.2 3.1 4.1 4.2 5.1 6.1 7.1 8.1 8.2 9.1",
}

SECTIONS = ("key_concept", "assessment_guidance", "common_mistake", "key_term", "prior_knowledge")
# Items per guidance section, in SECTIONS order (0: the documents give nothing for it).
GUIDANCE_COUNTS = {
    "RS-WWO": dict(zip(SECTIONS, (9, 13, 13, 5, 3), strict=True)),
    "RS-PDR": dict(zip(SECTIONS, (5, 4, 4, 0, 0), strict=True)),
    "RS-ICR": dict(zip(SECTIONS, (7, 15, 15, 5, 3), strict=True)),
}


@pytest.fixture(autouse=True)
def catalogue() -> None:
    call_command("load_qualifications", stdout=io.StringIO())


def test_the_qualifications_exist_with_their_awarding_bodies_and_frameworks() -> None:
    found = {
        (q.reference, q.version): (q.awarding_body.code, q.awarding_body.name, q.level, q.framework)
        for q in Qualification.objects.select_related("awarding_body")
    }
    ocr = ("OCR", "Oxford Cambridge and RSA Examinations (OCR)", "3", "QCF")
    icq = ("ICQ", "iCan Qualifications Limited (iCQ)", "3", "RQF")
    example = ("EXAMPLE", "Example Awarding Organisation (invented for this demo)", "3", "RQF")
    assert found == {
        ("OCR-L3-RSSP-CERT", "1"): ocr,
        ("ICQ-L3-RSSP-DIP", "1"): icq,
        ("ICQ-L3-RSM-DIP", "1"): icq,
        ("EX-L3-RETAIL-DIP", "1"): example,
        ("EX-L3-RETAIL-DIP", "2"): example,
    }


def test_every_seed_is_marked_illustrative_and_only_the_newest_example_is_current() -> None:
    assert not Qualification.objects.filter(is_illustrative=False).exists()
    assert not Qualification.objects.filter(illustrative_note="").exists()
    current = Qualification.objects.current().values_list("reference", "version")
    assert sorted(current) == [
        ("EX-L3-RETAIL-DIP", "2"),
        ("ICQ-L3-RSM-DIP", "1"),
        ("ICQ-L3-RSSP-DIP", "1"),
        ("OCR-L3-RSSP-CERT", "1"),
    ]


def test_each_qualification_lists_its_units_in_fixture_order() -> None:
    def units_of(reference: str) -> list[str]:
        qualification = Qualification.objects.get(reference=reference)
        return [link.unit.reference for link in qualification.unit_links.order_by("position")]

    assert units_of("OCR-L3-RSSP-CERT") == ["RS-WWO", "RS-PDR"]
    assert units_of("ICQ-L3-RSSP-DIP") == ["RS-ICR"]
    assert units_of("ICQ-L3-RSM-DIP") == ["RS-ICR"]


def test_improve_the_customer_relationship_is_stored_once_for_both_icq_diplomas() -> None:
    assert Unit.objects.filter(title="Improve the customer relationship").count() == 1
    unit = Unit.objects.get(reference="RS-ICR")
    assert sorted(unit.qualifications.values_list("reference", flat=True)) == [
        "ICQ-L3-RSM-DIP",
        "ICQ-L3-RSSP-DIP",
    ]


def test_descriptions_come_from_the_topic_overviews_and_the_sales_diploma_has_none() -> None:
    ocr = Qualification.objects.get(reference="OCR-L3-RSSP-CERT").description
    management = Qualification.objects.get(reference="ICQ-L3-RSM-DIP").description
    assert ocr.startswith("The OCR Level 3 Certificate in Retail Skills (Sales Professional)")
    assert "Why does this matter?" in ocr
    assert management.endswith(
        "the theoretical knowledge and practical skills to manage a retail operation effectively."
    )
    assert Qualification.objects.get(reference="ICQ-L3-RSSP-DIP").description == ""


@pytest.mark.parametrize(("reference", "outcomes"), [("RS-WWO", 5), ("RS-PDR", 3), ("RS-ICR", 9)])
def test_each_unit_has_its_outcomes_and_numbered_criteria(reference: str, outcomes: int) -> None:
    unit = Unit.objects.get(reference=reference)
    assert unit.level == "3"
    assert unit.guided_learning_hours is None
    assert unit.outcomes.count() == outcomes
    assert " ".join(unit.criteria.values_list("number", flat=True)) == CRITERION_NUMBERS[reference]


@pytest.mark.parametrize(
    ("reference", "number", "outcome", "opening"),
    [
        ("RS-WWO", "1.1", 1, "Award credit for clearly identifying specific collaborative methods"),
        ("RS-WWO", "2.3", 2, "Credit should be given when the learner provides documented"),
        ("RS-WWO", "5.1", 5, "Award credit for demonstrating clear communication"),
        ("RS-PDR", "1.2", 1, "Show that you have assessed risks to reliable service delivery"),
        ("RS-PDR", "3.1", 3, "Demonstrate the effective use of a recording system"),
        ("RS-ICR", "2.1", 2, "Award credit for evidencing the ability to balance customer needs"),
        ("RS-ICR", "8.2", 8, "Award credit for explaining the link between customer satisfaction"),
        ("RS-ICR", "9.1", 9, "Award credit for providing concrete examples of how to personalize"),
    ],
)
def test_a_criterion_from_each_source_document_lands_under_its_outcome(
    reference: str, number: str, outcome: int, opening: str
) -> None:
    criterion = AssessmentCriterion.objects.get(unit__reference=reference, number=number)
    assert criterion.outcome.number == outcome
    assert criterion.text.startswith(opening)


def test_the_run_together_icq_objective_is_split_into_four_outcomes() -> None:
    unit = Unit.objects.get(reference="RS-ICR")
    assert list(unit.outcomes.values_list("text", flat=True)[:5]) == [
        "Improve communication with their customers.",
        "Balance the needs of their customer and their organisation.",
        "Exceed customer expectations to develop the relationship.",
        "Understand how to improve the customer relationship.",
        "Evaluate the effectiveness of different communication channels in managing customer "
        "relationships.",
    ]
    key_terms = unit.guidance.filter(section="key_term").values_list("text", flat=True)
    assert not [term for term in key_terms if "," in term]


def test_unit_overviews_are_the_topic_synopses() -> None:
    openings = {
        "RS-WWO": "This element focuses on the collaborative approaches",
        "RS-PDR": "This element focuses on the systematic planning",
        "RS-ICR": "This subtopic focuses on enhancing customer interactions",
    }
    for reference, opening in openings.items():
        assert Unit.objects.get(reference=reference).overview.startswith(opening)


@pytest.mark.parametrize("reference", sorted(GUIDANCE_COUNTS))
def test_no_key_concept_term_appears_twice_in_a_unit(reference: str) -> None:
    terms = GuidanceItem.objects.filter(
        unit__reference=reference, section="key_concept"
    ).values_list("term", flat=True)
    lowered = [term.lower() for term in terms]
    assert terms and len(lowered) == len(set(lowered))


@pytest.mark.parametrize("reference", sorted(GUIDANCE_COUNTS))
def test_each_guidance_section_holds_the_merged_bullets_of_its_documents(reference: str) -> None:
    items = GuidanceItem.objects.filter(unit__reference=reference)
    counts = {section: items.filter(section=section).count() for section in SECTIONS}
    assert counts == GUIDANCE_COUNTS[reference]
    assert not items.filter(text__contains="\N{ELECTRIC LIGHT BULB}").exists()
    assert not items.exclude(section="key_concept").exclude(term="").exists()
