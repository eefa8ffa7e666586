"""The pages of the assessor's records: writing one, correcting it, the learner acknowledging."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from assessment import services
from portfolio.models import AssessorRecord, EvidenceType, MappingStatus, Portfolio
from qualifications.models import AssessmentCriterion
from tests.assessment.records import observe
from tests.files import mp3_upload


def observation_post(*criteria: AssessmentCriterion, **change: str) -> dict:
    return {
        "title": "Observed at the tills",
        "location": "Northgate store",
        "occurred_at": "2025-10-14T10:30",
        "observed": "Amy handled a refund calmly.",
        "judgement": "Competent.",
        "criteria": [c.pk for c in criteria],
    } | change


def test_assessor_sees_the_record_links_on_the_portfolio(
    client: Client, asha: User, amy_portfolio: Portfolio
) -> None:
    client.force_login(asha)
    page = client.get(reverse("assessment:portfolio_detail", args=[amy_portfolio.pk]))
    assert "Record an observation" in page.text
    assert "Record a professional discussion" in page.text


def test_learner_does_not_see_the_record_links(as_amy: Client, amy_portfolio: Portfolio) -> None:
    page = as_amy.get(reverse("assessment:portfolio_detail", args=[amy_portfolio.pk]))
    assert "Record an observation" not in page.text


def test_assessor_records_an_observation(
    client: Client, asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    client.force_login(asha)
    url = reverse("assessment:record_create", args=[amy_portfolio.pk, "observation"])
    response = client.post(url, observation_post(wwo_1_1))
    record = AssessorRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portfolio:evidence_detail", args=[record.evidence_id])
    assert record.evidence.type == EvidenceType.OBSERVATION
    page = client.get(response["Location"])
    assert "Northgate store" in page.text and "Not yet acknowledged" in page.text
    assert "Correct the record" in page.text


def test_missing_criteria_and_a_future_time_are_explained(
    client: Client, asha: User, amy_portfolio: Portfolio
) -> None:
    client.force_login(asha)
    url = reverse("assessment:record_create", args=[amy_portfolio.pk, "observation"])
    response = client.post(url, observation_post(occurred_at="2999-01-01T10:00"))
    assert response.status_code == 200
    assert "Choose at least one criterion" in response.text
    assert "cannot be in the future" in response.text
    assert not AssessorRecord.objects.exists()


def test_assessor_records_a_discussion_with_audio(
    client: Client, asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    client.force_login(asha)
    url = reverse("assessment:record_create", args=[amy_portfolio.pk, "discussion"])
    response = client.post(
        url,
        {
            "title": "Discussion",
            "location": "",
            "occurred_at": "2025-10-14T11:00",
            "judgement": "Sound.",
            "criteria": [wwo_1_1.pk],
            "question_1": "Why log complaints?",
            "answer_1": "To fix trends.",
            "audio": mp3_upload(),
        },
    )
    assert response.status_code == 302
    record = AssessorRecord.objects.get()
    assert record.items.get().answer == "To fix trends."
    page = client.get(response["Location"])
    assert "Why log complaints?" in page.text and "discussion.mp3" in page.text


def test_an_answer_without_its_question_is_explained(
    client: Client, asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    client.force_login(asha)
    url = reverse("assessment:record_create", args=[amy_portfolio.pk, "discussion"])
    response = client.post(
        url,
        {
            "title": "Discussion",
            "occurred_at": "2025-10-14T11:00",
            "judgement": "Sound.",
            "criteria": [wwo_1_1.pk],
            "answer_2": "An answer.",
        },
    )
    assert response.status_code == 200
    assert "Write the question this answer was to." in response.text
    assert not AssessorRecord.objects.exists()


def test_unknown_kind_of_record_is_404(
    client: Client, asha: User, amy_portfolio: Portfolio
) -> None:
    client.force_login(asha)
    url = reverse("assessment:record_create", args=[amy_portfolio.pk, "essay"])
    assert client.get(url).status_code == 404


def test_learner_acknowledges_on_the_page(
    as_amy: Client, asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    record = observe(asha, amy_portfolio, wwo_1_1)
    detail = reverse("portfolio:evidence_detail", args=[record.evidence_id])
    page = as_amy.get(detail)
    assert "Acknowledge" in page.text and "Map to criteria" not in page.text
    url = reverse("assessment:record_acknowledge", args=[record.evidence_id])
    assert "fair record" in as_amy.get(url).text
    as_amy.post(url, {})
    record.refresh_from_db()
    assert not record.is_acknowledged
    as_amy.post(url, {"confirm": "yes"})
    record.refresh_from_db()
    assert record.is_acknowledged
    assert record.evidence.mappings.get().status == MappingStatus.SUBMITTED
    assert "Acknowledged by Amy" in as_amy.get(detail).text


def test_correcting_an_acknowledged_record_is_refused(
    client: Client, amy: User, asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    record = observe(asha, amy_portfolio, wwo_1_1)
    services.record_acknowledge(actor=amy, record=record)
    client.force_login(asha)
    url = reverse("assessment:record_edit", args=[record.evidence_id])
    response = client.post(url, observation_post(wwo_1_1, judgement="Changed."), follow=True)
    assert "can no longer change" in response.text
    record.refresh_from_db()
    assert record.judgement.startswith("Competent")


def test_assessor_corrects_the_record_on_the_page(
    client: Client, asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    record = observe(asha, amy_portfolio, wwo_1_1)
    client.force_login(asha)
    url = reverse("assessment:record_edit", args=[record.evidence_id])
    assert "Northgate store, tills" in client.get(url).text
    client.post(url, observation_post(wwo_1_1, judgement="Competent, with one prompt."))
    record.refresh_from_db()
    assert record.judgement == "Competent, with one prompt."


@pytest.mark.parametrize("who", ["ben", "oscar"])
def test_strangers_cannot_find_the_record(
    client: Client,
    who: str,
    request: pytest.FixtureRequest,
    asha: User,
    amy_portfolio: Portfolio,
    wwo_1_1: AssessmentCriterion,
) -> None:
    record = observe(asha, amy_portfolio, wwo_1_1)
    client.force_login(request.getfixturevalue(who))
    for name in ("record_edit", "record_acknowledge"):
        assert (
            client.get(reverse(f"assessment:{name}", args=[record.evidence_id])).status_code == 404
        )


def _accepted_observation(
    amy: User, asha: User, portfolio: Portfolio, criterion: AssessmentCriterion
) -> AssessorRecord:
    record = observe(asha, portfolio, criterion)
    services.record_acknowledge(actor=amy, record=record)
    mapping = record.evidence.mappings.get()
    services.mappings_decide(
        actor=asha,
        evidence=record.evidence,
        requests=[
            services.DecisionRequest(
                mapping.pk, "accepted", "", mapping.submitted_at, services.Vacsr.confirmed()
            ),
        ],
    )
    return record


def test_the_decide_page_shows_the_record_and_its_acknowledgement(
    client: Client, amy: User, asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    record = observe(asha, amy_portfolio, wwo_1_1)
    services.record_acknowledge(actor=amy, record=record)
    client.force_login(asha)
    page = client.get(reverse("assessment:evidence_review", args=[record.evidence_id]))
    assert "Observation record by Asha Patel, assessor" in page.text
    assert "Acknowledged by Amy" in page.text
    assert "Amy greeted each customer" in page.text


def test_the_iqa_sample_shows_the_assessor_wrote_the_evidence(
    client: Client,
    amy: User,
    asha: User,
    iris: User,
    amy_portfolio: Portfolio,
    wwo_1_1: AssessmentCriterion,
) -> None:
    record = _accepted_observation(amy, asha, amy_portfolio, wwo_1_1)
    decision = record.evidence.mappings.get().decisions.get()
    client.force_login(iris)
    page = client.get(reverse("assessment:decision_sample", args=[decision.pk]))
    assert page.status_code == 200
    assert "Observation record by Asha Patel, assessor" in page.text
    assert "Competent: every step followed the store procedure." in page.text
