"""What the assessor sees of a resubmission: the commentary's changes since the referral and
the files added and removed, and sentences about decisions that read as English."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from assessment import services as assessment
from assessment.models import IqaAgreement
from assessment.resubmissions import Stretch, word_diff
from portfolio import services
from portfolio.models import Mapping, Portfolio
from qualifications.models import AssessmentCriterion
from tests.assessment.test_queries import REVIEW_QUERIES
from tests.catalogue import criteria_of
from tests.files import jpeg_upload, text_upload
from tests.journeys import accept, add_evidence, refer, submit
from tests.pages import queries_for, text_of

pytestmark = pytest.mark.django_db

BEFORE = "I greeted each customer and asked what they needed."
AFTER = "I greeted each customer by name and asked what they needed.\nThen I checked back."


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def resubmit(mapping: Mapping, commentary: str) -> Mapping:
    learner = mapping.evidence.portfolio.learner
    return services.mapping_update_and_submit(actor=learner, mapping=mapping, commentary=commentary)


@pytest.fixture
def referred(amy_portfolio: Portfolio, asha: User, wwo_1_2: AssessmentCriterion) -> Mapping:
    evidence = add_evidence(amy_portfolio, "Team ideas board")
    [mapping] = services.mappings_create(
        actor=evidence.portfolio.learner,
        evidence=evidence,
        commentaries={wwo_1_2: BEFORE},
        submit=True,
    )
    refer(asha, mapping, "Say who you asked.")
    mapping.refresh_from_db()
    return mapping


# The diff ---------------------------------------------------------------------------------------


def test_the_diff_marks_whole_words_added_and_removed_in_reading_order() -> None:
    assert word_diff("the red till", "the blue till now") == [
        Stretch("same", "the "),
        Stretch("removed", "red"),
        Stretch("added", "blue"),
        Stretch("same", " till"),
        Stretch("added", " now"),
    ]


def test_the_diff_of_equal_texts_is_one_unchanged_stretch() -> None:
    assert word_diff(BEFORE, BEFORE) == [Stretch("same", BEFORE)]


def test_the_diff_keeps_every_character_of_both_texts() -> None:
    stretches = word_diff(BEFORE, AFTER)
    assert "".join(s.text for s in stretches if s.kind != "removed") == AFTER
    assert "".join(s.text for s in stretches if s.kind != "added") == BEFORE


# The review page ------------------------------------------------------------------------------


def test_the_assessor_sees_the_commentary_changed_since_the_referral(
    client: Client, asha: User, referred: Mapping
) -> None:
    resubmit(referred, AFTER)

    page = text_of(
        signed_in(client, asha).get(
            reverse("assessment:evidence_review", args=[referred.evidence_id])
        )
    )

    assert "Changed since Asha Patel referred it on" in page
    assert re.search(r"<ins><span class=\"visually-hidden\">\[added: </span> by name<", page)
    assert "Then I checked back.<span" in page
    assert "Commentary as it was when referred" in page
    assert "Evidence files:</strong> none added or removed." in page


def test_the_assessor_sees_files_added_and_removed_since_the_referral(
    client: Client, amy: User, asha: User, referred: Mapping
) -> None:
    evidence = referred.evidence
    # A second photo added after the referral, and a file the referral saw taken away.
    services.evidence_file_add(actor=amy, evidence=evidence, uploaded=text_upload("rota.txt"))
    gone = evidence.files.order_by("pk").first()
    gone_name = gone.original_name
    gone.delete()
    resubmit(referred, BEFORE)

    page = text_of(
        signed_in(client, asha).get(reverse("assessment:evidence_review", args=[evidence.pk]))
    )

    assert "Commentary:</strong> unchanged." in page
    assert re.search(r"Added: <a href=\"[^\"]+\">rota.txt</a>", page)
    assert f"Removed: {gone_name}" in page


def test_the_commentary_diff_is_escaped(client: Client, asha: User, referred: Mapping) -> None:
    resubmit(referred, BEFORE + " <script>alert(1)</script>")

    response = signed_in(client, asha).get(
        reverse("assessment:evidence_review", args=[referred.evidence_id])
    )

    assert "<script>alert(1)</script>" not in response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()


def test_a_first_submission_shows_no_changes_section(
    client: Client, asha: User, amy_portfolio: Portfolio, wwo_1_2: AssessmentCriterion
) -> None:
    evidence = add_evidence(amy_portfolio)
    submit(evidence, wwo_1_2)

    page = text_of(
        signed_in(client, asha).get(reverse("assessment:evidence_review", args=[evidence.pk]))
    )

    assert "Changed since" not in page
    assert "RS-WWO 1.2" in page


def test_the_review_page_heads_with_the_evidence_number(
    client: Client, asha: User, referred: Mapping
) -> None:
    page = text_of(
        signed_in(client, asha).get(
            reverse("assessment:evidence_review", args=[referred.evidence_id])
        )
    )
    number = referred.evidence.number
    assert f'<h1 class="h2"><span class="evidence-number">E{number}</span> Team ideas board' in page
    assert f"<title>Review E{number} “Team ideas board”" in page


def test_the_review_page_runs_the_same_queries_for_one_or_ten_resubmissions(
    client: Client,
    amy: User,
    asha: User,
    amy_portfolio: Portfolio,
    wwo: Any,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    evidence = add_evidence(amy_portfolio)
    criteria = criteria_of(wwo)[:10]
    [first] = services.mappings_create(
        actor=amy, evidence=evidence, commentaries={criteria[0]: BEFORE}, submit=True
    )
    refer(asha, first)
    resubmit(first, AFTER)
    as_asha = signed_in(client, asha)
    url = reverse("assessment:evidence_review", args=[evidence.pk])
    small = queries_for(as_asha, url)

    more = services.mappings_create(
        actor=amy, evidence=evidence, commentaries={c: BEFORE for c in criteria[1:]}, submit=True
    )
    for mapping in more:
        refer(asha, mapping)
        mapping.refresh_from_db()
        resubmit(mapping, AFTER)
    services.evidence_file_add(actor=amy, evidence=evidence, uploaded=jpeg_upload())

    with django_assert_max_num_queries(REVIEW_QUERIES):
        large = queries_for(as_asha, url)

    assert large == small
    page = as_asha.get(url).content.decode()
    assert page.count("Changed since Asha Patel referred it") == 10


# Sentences about decisions ---------------------------------------------------------------------


def test_the_iqa_overview_says_whose_decision_to_do_what(
    client: Client, asha: User, iris: User, amy_portfolio: Portfolio, pdr_1_1: AssessmentCriterion
) -> None:
    [mapping] = submit(add_evidence(amy_portfolio), pdr_1_1)
    [decision] = accept(asha, mapping)
    assessment.iqa_review_record(
        actor=iris, decision=decision, verdict=IqaAgreement.AGREE, feedback=""
    )

    page = text_of(signed_in(client, iris).get(reverse("assessment:iqa_overview")))

    assert (
        "Iris Okafor <strong>agreed</strong> with Asha Patel’s decision to accept RS-PDR 1.1 "
        "for Amy Archer" in page
    )


def test_the_assessors_notification_of_an_iqa_review_names_the_unit(
    asha: User, iris: User, amy_portfolio: Portfolio, pdr_1_1: AssessmentCriterion
) -> None:
    [mapping] = submit(add_evidence(amy_portfolio), pdr_1_1)
    [decision] = accept(asha, mapping)
    assessment.iqa_review_record(
        actor=iris, decision=decision, verdict=IqaAgreement.AGREE, feedback=""
    )

    message = asha.notifications.latest("pk").message
    assert (
        message == "Iris Okafor agreed with your decision on criterion RS-PDR 1.1 for Amy Archer."
    )
