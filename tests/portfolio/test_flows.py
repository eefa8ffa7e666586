"""Clear references and flows for the learner: criteria named with their unit, evidence by its
number, the commentary page in the picker's order, and answering a referral in one step."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from assessment.models import Decision
from portfolio import services
from portfolio.errors import ActionRefused
from portfolio.models import AuditEntry, Evidence, Mapping, MappingStatus, Portfolio
from qualifications.models import AssessmentCriterion
from tests.journeys import add_evidence, refer, submit
from tests.pages import messages_of, text_of

pytestmark = pytest.mark.django_db

REVISED = "I asked three colleagues for ideas and wrote up the one we chose."


@pytest.fixture
def referred(amy_portfolio: Portfolio, asha: User, wwo_1_2: AssessmentCriterion) -> Mapping:
    """Amy's mapping to RS-WWO 1.2, submitted and referred back by Asha."""
    [mapping] = submit(add_evidence(amy_portfolio, "Team ideas board"), wwo_1_2)
    refer(asha, mapping, "Say who you asked and what they said.")
    mapping.refresh_from_db()
    return mapping


def edit(client: Client, mapping: Mapping, action: str, commentary: str = REVISED) -> object:
    return client.post(
        reverse("portfolio:mapping_edit", args=[mapping.pk]),
        {"commentary": commentary, "action": action},
    )


# One name for a criterion --------------------------------------------------------------------


def test_a_criterion_is_named_with_its_unit(wwo_1_2: AssessmentCriterion) -> None:
    assert wwo_1_2.reference == "RS-WWO 1.2"
    assert str(wwo_1_2) == "RS-WWO 1.2"


def test_evidence_is_called_by_its_stored_number(amy_portfolio: Portfolio) -> None:
    first, second = add_evidence(amy_portfolio, "First"), add_evidence(amy_portfolio, "Second")
    assert (first.reference, second.reference) == ("E1", "E2")


def test_the_message_after_mapping_names_each_criterion_with_its_unit(
    as_amy: Client, evidence: Evidence, wwo_1_2: AssessmentCriterion, pdr_1_1: AssessmentCriterion
) -> None:
    response = as_amy.post(
        reverse("portfolio:mapping_commentary", args=[evidence.pk]),
        {
            "criteria": [wwo_1_2.pk, pdr_1_1.pk],
            f"commentary-{wwo_1_2.pk}": "I asked my team for ideas.",
            f"commentary-{pdr_1_1.pk}": "I planned the rota.",
            "action": "draft",
        },
    )

    assert messages_of(response) == ["Saved as drafts: criteria RS-WWO 1.2, RS-PDR 1.1."]


def test_the_audit_of_a_deleted_mapping_names_the_criterion_with_its_unit(
    amy: User, evidence: Evidence, wwo_1_2: AssessmentCriterion
) -> None:
    [mapping] = services.mappings_create(
        actor=amy, evidence=evidence, commentaries={wwo_1_2: "Draft."}
    )
    services.mapping_delete(actor=amy, mapping=mapping)

    entry = AuditEntry.objects.filter(action="mapping.delete").get()
    assert entry.changes["before"]["criterion"] == "RS-WWO 1.2"


# The commentary page follows the picker ------------------------------------------------------


def test_the_commentary_page_lists_criteria_in_the_pickers_order(
    as_amy: Client, evidence: Evidence, wwo_1_2: AssessmentCriterion, pdr_1_1: AssessmentCriterion
) -> None:
    picker = text_of(as_amy.get(reverse("portfolio:mapping_pick", args=[evidence.pk])))
    # The qualification lists RS-WWO before RS-PDR, although P sorts before W.
    assert picker.index("RS-WWO 1.2") < picker.index("RS-PDR 1.1")

    page = text_of(
        as_amy.get(
            reverse("portfolio:mapping_commentary", args=[evidence.pk]),
            {"criteria": [pdr_1_1.pk, wwo_1_2.pk]},
        )
    )

    boxes = re.findall(r'name="commentary-(\d+)"', page)
    assert boxes == [str(wwo_1_2.pk), str(pdr_1_1.pk)]
    headings = re.findall(r'class="criterion-number">([^<]+)<', page)
    assert headings == ["RS-WWO 1.2", "RS-PDR 1.1"]


# Answering a referral --------------------------------------------------------------------------


def test_save_and_resubmit_saves_the_commentary_and_resubmits_it(
    as_amy: Client, referred: Mapping
) -> None:
    response = edit(as_amy, referred, "submit")

    assert response["Location"] == reverse("portfolio:evidence_detail", args=[referred.evidence_id])
    referred.refresh_from_db()
    assert referred.status == MappingStatus.SUBMITTED
    assert referred.commentary == REVISED
    assert messages_of(response) == ["Commentary for RS-WWO 1.2 saved and resubmitted."]
    actions = list(
        AuditEntry.objects.filter(object_id=str(referred.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["mapping.update", "mapping.submit"]


def test_save_as_draft_keeps_a_referral_with_the_learner_and_says_so(
    as_amy: Client, referred: Mapping
) -> None:
    response = edit(as_amy, referred, "draft")

    referred.refresh_from_db()
    assert referred.status == MappingStatus.REFERRED
    assert referred.commentary == REVISED
    [message] = messages_of(response)
    assert "It stays referred and is not with your assessor" in message


def test_a_refused_resubmission_keeps_nothing_of_the_edit(amy: User, referred: Mapping) -> None:
    referred.evidence.files.all().delete()
    before = referred.commentary

    with pytest.raises(ActionRefused, match="Add at least one file"):
        services.mapping_update_and_submit(actor=amy, mapping=referred, commentary=REVISED)

    referred.refresh_from_db()
    assert (referred.status, referred.commentary) == (MappingStatus.REFERRED, before)
    assert not AuditEntry.objects.filter(action="mapping.update").exists()


def test_the_edit_page_of_a_referral_offers_save_and_resubmit_with_the_feedback(
    as_amy: Client, referred: Mapping
) -> None:
    page = text_of(as_amy.get(reverse("portfolio:mapping_edit", args=[referred.pk])))

    assert "Commentary for criterion RS-WWO 1.2" in page
    assert "Say who you asked and what they said." in page
    assert re.search(r'value="submit" class="btn btn-success">Save and resubmit<', page)
    assert re.search(r'value="draft" class="btn btn-outline-primary">Save as draft<', page)


def test_the_edit_page_of_a_draft_offers_save_and_submit(
    as_amy: Client, amy: User, evidence: Evidence, wwo_1_2: AssessmentCriterion
) -> None:
    [mapping] = services.mappings_create(
        actor=amy, evidence=evidence, commentaries={wwo_1_2: "Draft."}
    )

    page = text_of(as_amy.get(reverse("portfolio:mapping_edit", args=[mapping.pk])))
    assert "Save and submit for assessment" in page
    assert "Save and resubmit" not in page
    edit(as_amy, mapping, "submit")
    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.SUBMITTED


def test_the_evidence_page_offers_revise_and_resubmit_for_a_referral(
    as_amy: Client, referred: Mapping
) -> None:
    page = text_of(as_amy.get(reverse("portfolio:evidence_detail", args=[referred.evidence_id])))

    assert 'Revise and resubmit<span class="visually-hidden"> for RS-WWO 1.2</span>' in page


def test_a_referral_keeps_what_the_assessor_judged(referred: Mapping) -> None:
    decision = Decision.objects.get(mapping=referred)
    assert decision.commentary_seen == referred.commentary
    assert decision.files_seen == [
        {"id": f.pk, "name": f.original_name} for f in referred.evidence.files.all()
    ]


# Evidence numbers and headings ----------------------------------------------------------------


def test_the_evidence_page_heads_with_the_evidence_number_and_says_files_once(
    as_amy: Client, amy_portfolio: Portfolio
) -> None:
    add_evidence(amy_portfolio, "First")
    second = add_evidence(amy_portfolio, "Second")

    page = text_of(as_amy.get(reverse("portfolio:evidence_detail", args=[second.pk])))

    assert re.search(r'<h1 class="h2"><span class="evidence-number">E2</span> Second</h1>', page)
    assert len(re.findall(r">Files<", page)) == 1
    assert ">Add more files</legend>" in page


def test_the_evidence_library_lists_evidence_by_number(
    as_amy: Client, amy_portfolio: Portfolio
) -> None:
    add_evidence(amy_portfolio, "First")
    add_evidence(amy_portfolio, "Second")

    page = text_of(as_amy.get(reverse("portfolio:evidence_library", args=[amy_portfolio.pk])))

    assert '<span class="evidence-number">E1</span> First' in page
    assert '<span class="evidence-number">E2</span> Second' in page
