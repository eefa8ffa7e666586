from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from qualifications.models import AssessmentCriterion, LearningOutcome, Unit
from tests.pages import queries_for

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


@pytest.mark.parametrize(
    ("name", "small", "large"),
    [
        ("qualifications:qualification_detail", "ICQ-L3-RSSP-DIP", "OCR-L3-RSSP-CERT"),
        ("qualifications:unit_detail", "RS-PDR", "RS-ICR"),
    ],
)
def test_catalogue_page_queries_do_not_grow_with_its_size(
    signed_in: Client, name: str, small: str, large: str
) -> None:
    small_count = queries_for(signed_in, reverse(name, args=[small]))
    large_count = queries_for(signed_in, reverse(name, args=[large]))
    assert small_count == large_count <= 10


def test_qualification_list_queries_do_not_grow_with_the_number_of_qualifications(
    signed_in: Client,
) -> None:
    from qualifications.models import Qualification

    url = reverse("qualifications:qualification_list")
    before = queries_for(signed_in, url)
    template = Qualification.objects.get(reference="ICQ-L3-RSM-DIP")
    for n in range(10):
        Qualification.objects.create(
            reference=f"EXTRA-{n}",
            awarding_body=template.awarding_body,
            title=f"Extra {n}",
            level=3,
            framework="RQF",
        )
    assert queries_for(signed_in, url) == before <= 8
