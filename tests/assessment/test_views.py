"""The assessor's, learner's and IQA's assessment pages, driven through the test client."""

from __future__ import annotations

import datetime
import re

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Notification, Role, User
from assessment import services as assessment
from assessment.models import VACSR_KEYS, Decision, IqaReview, UnitDeclaration, UnitSignOff
from portfolio import services as learner_services
from portfolio.audit import audit_action
from portfolio.models import AuditEntry, Evidence, Mapping, MappingStatus, Portfolio
from qualifications.models import AssessmentCriterion, Qualification, Unit
from tests.catalogue import criteria_of, criterion
from tests.factories import PortfolioFactory
from tests.files import jpeg_upload, pdf_upload
from tests.journeys import accept, add_evidence, declare, meet_unit, refer, submit
from tests.pages import csv_rows, messages_of, text_of

pytestmark = pytest.mark.django_db


# Helpers -------------------------------------------------------------------------------------


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


# The decide form's VACSR block with all five ticked, as an assessor accepting sends it.
TICKED = {f"vacsr-{key}": "on" for key in VACSR_KEYS}


def seen_values(response: HttpResponse) -> dict[str, str]:
    """The hidden version fields of the decision form, as the browser would send them back."""
    return dict(re.findall(r'name="(seen-\d+)" value="([^"]*)"', response.content.decode()))


def review_url(evidence: Evidence) -> str:
    return reverse("assessment:evidence_review", args=[evidence.pk])


def set_submitted_at(mapping: Mapping, days_ago: int) -> None:
    Mapping.objects.filter(pk=mapping.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=days_ago, hours=1)
    )


def criteria_of_pdr() -> list[AssessmentCriterion]:
    return criteria_of(Unit.objects.get(reference="RS-PDR"))


def caseload_rows(page: str) -> dict[str, list[str]]:
    """Learner name → [waiting, oldest waiting, referrals, units ready, overdue plan items]."""
    section = page[page.index('id="portfolios-heading"') :]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", section, re.DOTALL):
        name = re.search(r'<a href="/portfolios/\d+/">([^<]+)</a>', row)
        if name:
            cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
            rows[name.group(1)] = [cell.strip() for cell in cells]
    return rows


def refreshed(mappings: list[Mapping]) -> list[Mapping]:
    for mapping in mappings:
        mapping.refresh_from_db()
    return mappings


def declare_url(portfolio: Portfolio, unit: Unit) -> str:
    return reverse("assessment:unit_declare", args=[portfolio.pk, unit.pk])


def proposed(page: str, heading: str) -> list[int]:
    """Decision ids proposed under one group's heading."""
    card = re.search(rf">{re.escape(heading)}</h3>(.*?)</article>", page, re.DOTALL)
    assert card, heading
    return [int(pk) for pk in re.findall(r'href="/iqa/decisions/(\d+)/"', card.group(1))]


def coverage_rows(page: str, heading_id: str) -> dict[str, list[str]]:
    section = re.search(rf'id="{heading_id}".*?</table>', page, re.DOTALL).group()
    return {
        label: re.findall(r'<td class="text-end">([^<]*)</td>', cells)
        for label, cells in re.findall(
            r'<tr><th scope="row" class="fw-normal">([^<]+)</th>(.*?)</tr>', section
        )
    }


def timeline_url(portfolio: Portfolio) -> str:
    return reverse("assessment:portfolio_timeline", args=[portfolio.pk])


@pytest.fixture
def board(amy_portfolio: Portfolio) -> Evidence:
    """Amy's evidence with a photo and a PDF."""
    return add_evidence(amy_portfolio, uploads=[jpeg_upload(), pdf_upload()])


@pytest.fixture
def waiting(board: Evidence) -> list[Mapping]:
    """The board mapped to RS-PDR 1.1 and 1.2, both submitted."""
    return submit(board, criterion("RS-PDR", "1.1"), criterion("RS-PDR", "1.2"))


# Caseload and queue --------------------------------------------------------------------------


def test_the_caseload_lists_each_assigned_portfolio_with_what_is_waiting(
    as_asha: Client, asha: User, amy_portfolio: Portfolio, ben_portfolio: Portfolio
) -> None:
    amy_mappings = submit(add_evidence(amy_portfolio, "Rota"), *criteria_of_pdr()[:2])
    set_submitted_at(amy_mappings[0], days_ago=3)
    [ben_waiting] = submit(add_evidence(ben_portfolio, "Log"), criterion("RS-PDR", "1.1"))
    [ben_referred] = submit(add_evidence(ben_portfolio, "Plan"), criterion("RS-PDR", "1.2"))
    refer(asha, ben_referred)
    set_submitted_at(ben_waiting, days_ago=5)

    response = as_asha.get(reverse("assessment:caseload"))

    assert response.status_code == 200
    page = text_of(response)
    assert "2 learner portfolios, 3 mappings waiting for you." in page
    rows = caseload_rows(page)
    assert rows == {
        "Amy Archer": ["2", "3 days", "0", "0", "0"],
        "Ben Brook": ["1", "5 days", "1", "0", "0"],
    }


def test_the_caseload_counts_units_ready_for_sign_off(
    as_asha: Client, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    meet_unit(amy_portfolio, pdr)

    rows = caseload_rows(text_of(as_asha.get(reverse("assessment:caseload"))))

    assert rows == {"Amy Archer": ["0", "–", "0", "1", "0"]}


def test_the_queue_lists_waiting_evidence_oldest_submission_first(
    as_asha: Client, amy_portfolio: Portfolio, ben_portfolio: Portfolio
) -> None:
    items = {}
    for title, portfolio, days in [
        ("Amy's board", amy_portfolio, 1),
        ("Ben's log", ben_portfolio, 5),
        ("Amy's rota", amy_portfolio, 3),
    ]:
        items[title] = add_evidence(portfolio, title)
        [mapping] = submit(items[title], criterion("RS-PDR", "1.1"))
        set_submitted_at(mapping, days)
    accept_later = add_evidence(amy_portfolio, "Already decided")
    accept(amy_portfolio.assessor, *submit(accept_later, criterion("RS-PDR", "2.1")))

    page = as_asha.get(reverse("assessment:caseload")).content.decode()

    queue = page[page.index('id="queue-heading"') : page.index('id="portfolios-heading"')]
    linked = re.findall(r'<a href="/assess/evidence/(\d+)/">', queue)
    assert linked == [str(items[t].pk) for t in ("Ben's log", "Amy's rota", "Amy's board")]
    assert str(accept_later.pk) not in linked


def test_only_an_assessor_has_a_caseload(client: Client, tom: User) -> None:
    assert signed_in(client, tom).get(reverse("assessment:caseload")).status_code == 403


# Reviewing evidence --------------------------------------------------------------------------


def test_the_review_page_shows_each_criterion_beside_the_learners_commentary(
    as_asha: Client, waiting: list[Mapping]
) -> None:
    response = as_asha.get(review_url(waiting[0].evidence))

    assert response.status_code == 200
    page = text_of(response)
    for mapping in waiting:
        card = re.search(
            rf'<article class="card mb-3" aria-labelledby="decide-{mapping.pk}">.*?</article>',
            page,
            re.DOTALL,
        ).group()
        assert " ".join(mapping.criterion.text.split()) in " ".join(card.split())
        assert mapping.commentary in card


def test_the_review_page_shows_photos_inline_and_pdfs_in_a_frame(
    as_asha: Client, waiting: list[Mapping]
) -> None:
    evidence = waiting[0].evidence
    photo = evidence.files.get(kind="image")
    pdf = evidence.files.get(kind="pdf")

    page = as_asha.get(review_url(evidence)).content.decode()

    photo_url = reverse("portfolio:file_download", args=[photo.pk])
    pdf_url = reverse("portfolio:file_download", args=[pdf.pk])
    assert re.search(rf'<img class="file-preview[^"]*" src="{photo_url}" alt="Photo: ', page)
    assert (
        f'<iframe class="pdf-preview mb-1" src="{pdf_url}" title="PDF: witness statement.pdf">'
        in page
    )
    assert as_asha.get(pdf_url).status_code == 200


def test_only_the_assigned_assessor_opens_the_review_page(
    client: Client, sam: User, amy: User, waiting: list[Mapping]
) -> None:
    url = review_url(waiting[0].evidence)

    assert signed_in(client, sam).get(url).status_code == 404
    assert signed_in(client, amy).get(url).status_code == 403


def test_posting_decisions_records_them_and_tells_the_learner(
    as_asha: Client, amy: User, waiting: list[Mapping]
) -> None:
    first, second = waiting
    url = review_url(first.evidence)
    seen = seen_values(as_asha.get(url))

    response = as_asha.post(
        url,
        {
            **seen,
            **TICKED,
            f"decision-{first.pk}": "accepted",
            f"decision-{second.pk}": "referred",
            f"feedback-{second.pk}": "Attach the plan itself, not a photo of it.",
        },
    )

    assert response.status_code == 302
    assert response.url == url
    assert messages_of(response) == ["Recorded 2 decisions; Amy Archer will be told."]
    assert [(m.status, m.decisions.get().outcome) for m in refreshed(waiting)] == [
        ("accepted", "accepted"),
        ("referred", "referred"),
    ]
    assert Notification.objects.filter(recipient=amy).order_by("pk").last().message == (
        "Asha Patel accepted RS-PDR 1.1 and referred RS-PDR 1.2 from E1 “Customer feedback board”."
    )


def test_the_learners_evidence_page_shows_the_referral_feedback_and_history(
    as_asha: Client, client: Client, amy: User, waiting: list[Mapping]
) -> None:
    first, second = waiting
    url = review_url(first.evidence)
    as_asha.post(
        url,
        {
            **seen_values(as_asha.get(url)),
            **TICKED,
            f"decision-{first.pk}": "accepted",
            f"decision-{second.pk}": "referred",
            f"feedback-{second.pk}": "Attach the plan itself, not a photo of it.",
        },
    )

    response = signed_in(client, amy).get(
        reverse("portfolio:evidence_detail", args=[first.evidence_id])
    )

    page = text_of(response)
    assert (
        "<strong>Referred by Asha Patel:</strong> Attach the plan itself, not a photo of it."
        in page
    )
    assert page.count("<summary>History (1 decision)</summary>") == 2
    assert "<strong>Accepted</strong> by Asha Patel" in page
    assert "<strong>Referred</strong> by Asha Patel" in page


def test_a_referral_without_feedback_shows_the_field_error_and_records_nothing(
    as_asha: Client, waiting: list[Mapping]
) -> None:
    first, second = waiting
    url = review_url(first.evidence)

    response = as_asha.post(
        url,
        {
            **seen_values(as_asha.get(url)),
            **TICKED,
            f"decision-{first.pk}": "accepted",
            f"decision-{second.pk}": "referred",
            f"feedback-{second.pk}": "   ",
        },
    )

    assert response.status_code == 200
    assert (
        f'<div class="invalid-feedback d-block" id="id_feedback-{second.pk}-error">'
        "Say what is missing for RS-PDR 1.2: a referral needs feedback for the learner.</div>"
    ) in response.content.decode()
    assert Decision.objects.count() == 0
    assert [m.status for m in refreshed(waiting)] == ["submitted", "submitted"]


def test_posting_no_decision_asks_for_one(as_asha: Client, waiting: list[Mapping]) -> None:
    url = review_url(waiting[0].evidence)

    response = as_asha.post(url, seen_values(as_asha.get(url)))

    assert response.status_code == 200
    assert (
        "Choose accept or refer for at least one criterion, then record your decisions."
        in text_of(response)
    )
    assert Decision.objects.count() == 0


def test_a_stale_page_after_the_learner_resubmitted_gives_the_conflict_message(
    as_asha: Client, amy: User, waiting: list[Mapping]
) -> None:
    first, _ = waiting
    url = review_url(first.evidence)
    stale = seen_values(as_asha.get(url))
    learner_services.mapping_withdraw(actor=amy, mapping=first)
    learner_services.mapping_submit(actor=amy, mapping=first)
    audit_before = AuditEntry.objects.count()

    response = as_asha.post(url, {**stale, **TICKED, f"decision-{first.pk}": "accepted"})

    assert response.status_code == 302
    assert messages_of(response) == [
        "Criterion RS-PDR 1.1 changed while you were reviewing: the learner resubmitted it. "
        "Nothing was recorded; check the page as it is now and decide again."
    ]
    assert Decision.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_a_stale_page_after_another_decision_gives_the_conflict_message_and_records_nothing(
    as_asha: Client, asha: User, waiting: list[Mapping]
) -> None:
    first, second = waiting
    url = review_url(first.evidence)
    stale = seen_values(as_asha.get(url))
    other_tab = Client()
    other_tab.force_login(asha)
    other_tab.post(url, {**stale, **TICKED, f"decision-{first.pk}": "accepted"})
    [earlier] = Decision.objects.all()

    response = as_asha.post(
        url,
        {
            **stale,
            **TICKED,
            f"decision-{first.pk}": "referred",
            f"feedback-{first.pk}": "Show the plan itself.",
            f"decision-{second.pk}": "accepted",
        },
    )

    when = timezone.localtime(earlier.decided_at).strftime("%H:%M on %d %B")
    assert messages_of(response) == [
        f"Criterion RS-PDR 1.1 changed while you were reviewing: Asha Patel accepted it at {when}. "
        "Nothing was recorded; check the page as it is now and decide again."
    ]
    assert Decision.objects.count() == 1
    assert [m.status for m in refreshed(waiting)] == ["accepted", "submitted"]


def test_a_stale_page_whose_only_mapping_was_decided_meanwhile_gives_the_conflict_message(
    as_asha: Client, asha: User, amy_portfolio: Portfolio
) -> None:
    [first] = submit(add_evidence(amy_portfolio), criterion("RS-PDR", "1.1"))
    url = review_url(first.evidence)
    stale = seen_values(as_asha.get(url))
    [earlier] = accept(asha, first)

    response = as_asha.post(
        url,
        {**stale, f"decision-{first.pk}": "referred", f"feedback-{first.pk}": "Show the plan."},
        follow=True,
    )

    when = timezone.localtime(earlier.decided_at).strftime("%H:%M on %d %B")
    assert (
        f"Criterion RS-PDR 1.1 changed while you were reviewing: Asha Patel accepted it at {when}."
        in text_of(response)
    )
    assert Decision.objects.count() == 1


# Reopening -----------------------------------------------------------------------------------


def test_the_reopen_form_shows_the_criterion(
    as_asha: Client, asha: User, waiting: list[Mapping]
) -> None:
    first, _ = waiting
    accept(asha, first)

    response = as_asha.get(reverse("assessment:mapping_reopen", args=[first.pk]))

    assert response.status_code == 200
    page = " ".join(text_of(response).split())
    assert "Reopen criterion RS-PDR 1.1" in page
    assert " ".join(first.criterion.text.split()) in page


def test_the_review_page_offers_to_reopen_an_accepted_mapping(
    as_asha: Client, asha: User, waiting: list[Mapping]
) -> None:
    first, _ = waiting
    accept(asha, first)

    page = as_asha.get(review_url(first.evidence)).content.decode()

    assert reverse("assessment:mapping_reopen", args=[first.pk]) in page


def test_reopening_through_the_form_puts_the_mapping_back_in_the_queue(
    as_asha: Client, asha: User, waiting: list[Mapping]
) -> None:
    first, _ = waiting
    accept(asha, first)

    response = as_asha.post(
        reverse("assessment:mapping_reopen", args=[first.pk]),
        {"reason": "The photo is of another store."},
    )

    assert response.status_code == 302
    assert response.url == review_url(first.evidence)
    assert messages_of(response) == ["Criterion RS-PDR 1.1 is reopened and back in your queue."]
    first.refresh_from_db()
    assert first.status == MappingStatus.SUBMITTED
    assert first.decisions.order_by("pk").last().feedback == "The photo is of another store."


def test_reopening_without_a_reason_shows_the_error(
    as_asha: Client, asha: User, waiting: list[Mapping]
) -> None:
    first, _ = waiting
    accept(asha, first)

    response = as_asha.post(reverse("assessment:mapping_reopen", args=[first.pk]), {"reason": ""})

    assert response.status_code == 200
    assert "Give a reason for reopening: it is kept in the record." in text_of(response)
    first.refresh_from_db()
    assert first.status == MappingStatus.ACCEPTED
    assert first.decisions.count() == 1


def test_reopening_a_mapping_that_is_not_accepted_shows_the_refusal(
    as_asha: Client, waiting: list[Mapping]
) -> None:
    first, _ = waiting

    response = as_asha.post(
        reverse("assessment:mapping_reopen", args=[first.pk]), {"reason": "Second thoughts."}
    )

    assert response.status_code == 200
    assert "Only an accepted mapping can be reopened; this one is submitted." in text_of(response)
    assert Decision.objects.count() == 0


# Declaring and signing off -------------------------------------------------------------------


LEARNER_WORDING = (
    "I, Amy Archer, declare that the evidence in this portfolio for the unit “Plan, deliver and "
    "review reliable customer service” (RS-PDR) is my own work, and that the commentary I have "
    "written is a true account of what I did."
)


def test_the_declaration_page_shows_the_exact_wording(
    client: Client, amy: User, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    meet_unit(amy_portfolio, pdr)

    response = signed_in(client, amy).get(declare_url(amy_portfolio, pdr))

    assert response.status_code == 200
    wording = re.search(r'class="[^"]*declaration-wording">([^<]*)</blockquote>', text_of(response))
    assert wording.group(1) == LEARNER_WORDING
    assert "4 of 4 criteria met" in text_of(response)


def test_declaring_without_ticking_the_box_is_refused(
    client: Client, amy: User, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    meet_unit(amy_portfolio, pdr)

    response = signed_in(client, amy).post(declare_url(amy_portfolio, pdr), {})

    assert response.status_code == 200
    assert messages_of(response) == ["Tick the box to confirm the declaration."]
    assert not UnitDeclaration.objects.exists()


def test_declaring_with_the_box_ticked_records_the_declaration(
    client: Client, amy: User, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    meet_unit(amy_portfolio, pdr)

    response = signed_in(client, amy).post(declare_url(amy_portfolio, pdr), {"confirm": "yes"})

    assert response.status_code == 302
    assert response.url == reverse("assessment:portfolio_detail", args=[amy_portfolio.pk])
    assert messages_of(response) == [
        "You declared Plan, deliver and review reliable customer service your own work."
    ]
    assert UnitDeclaration.objects.get().wording == LEARNER_WORDING


def test_declaring_a_unit_not_yet_met_shows_the_refusal(
    client: Client, amy: User, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    response = signed_in(client, amy).post(declare_url(amy_portfolio, pdr), {"confirm": "yes"})

    assert response.status_code == 200
    assert messages_of(response) == [
        "Every criterion of Plan, deliver and review reliable customer service must be met "
        "before you declare the unit: your declaration covers all of its evidence."
    ]
    assert not UnitDeclaration.objects.exists()


def test_only_the_learner_opens_the_declaration_page(
    as_asha: Client, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    assert as_asha.get(declare_url(amy_portfolio, pdr)).status_code == 403


ASSESSOR_WORDING = (
    "I, Asha Patel, confirm that I have assessed the evidence for the unit “Plan, deliver and "
    "review reliable customer service” (RS-PDR) for Amy Archer; that it is valid, authentic, "
    "current and sufficient; and that every assessment criterion of the unit is met."
)


def sign_off_url(portfolio: Portfolio, unit: Unit) -> str:
    return reverse("assessment:unit_sign_off", args=[portfolio.pk, unit.pk])


@pytest.fixture
def declared(amy_portfolio: Portfolio, pdr: Unit) -> Unit:
    """Every RS-PDR criterion of Amy's met, and the unit declared."""
    meet_unit(amy_portfolio, pdr)
    declare(amy_portfolio, pdr)
    return pdr


def test_the_portfolio_review_links_a_declared_unit_to_its_sign_off_page(
    as_asha: Client, amy_portfolio: Portfolio, declared: Unit
) -> None:
    page = as_asha.get(reverse("assessment:portfolio_detail", args=[amy_portfolio.pk]))

    assert sign_off_url(amy_portfolio, declared) in page.content.decode()


def test_the_sign_off_page_shows_the_assessors_exact_wording(
    as_asha: Client, amy_portfolio: Portfolio, declared: Unit
) -> None:
    response = as_asha.get(sign_off_url(amy_portfolio, declared))

    assert response.status_code == 200
    wording = re.search(r'class="[^"]*declaration-wording">([^<]*)</blockquote>', text_of(response))
    assert wording.group(1) == ASSESSOR_WORDING


def test_signing_off_without_ticking_the_box_is_refused(
    as_asha: Client, amy_portfolio: Portfolio, declared: Unit
) -> None:
    response = as_asha.post(sign_off_url(amy_portfolio, declared), {})

    assert response.status_code == 200
    assert messages_of(response) == ["Tick the box to confirm the declaration."]
    assert not UnitSignOff.objects.exists()


def test_signing_off_with_the_box_ticked_records_the_sign_off(
    as_asha: Client, amy_portfolio: Portfolio, declared: Unit
) -> None:
    review = reverse("assessment:portfolio_detail", args=[amy_portfolio.pk])

    response = as_asha.post(sign_off_url(amy_portfolio, declared), {"confirm": "yes"})

    assert response.status_code == 302
    assert response.url == review
    assert messages_of(response) == [
        "You signed off Plan, deliver and review reliable customer service."
    ]
    assert UnitSignOff.objects.get().wording == ASSESSOR_WORDING
    assert re.search(r"Signed off</span>\s+by Asha Patel", as_asha.get(review).content.decode())


def test_signing_off_before_the_declaration_shows_the_refusal(
    as_asha: Client, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    meet_unit(amy_portfolio, pdr)

    response = as_asha.post(sign_off_url(amy_portfolio, pdr), {"confirm": "yes"})

    assert response.status_code == 200
    assert messages_of(response) == [
        "Amy Archer has not yet declared Plan, deliver and review reliable customer service "
        "their own work; the learner's declaration comes before your sign-off."
    ]
    assert not UnitSignOff.objects.exists()


# IQA sampling --------------------------------------------------------------------------------


@pytest.fixture
def sampled_centre(
    asha: User, iris: User, ben: User, amy_portfolio: Portfolio, ocr: Qualification
) -> dict[str, list[Decision]]:
    """Asha accepted four RS-PDR and two RS-WWO criteria of Amy's; Iris, who also assesses,
    accepted two RS-PDR criteria of Ben's."""
    Membership.objects.create(user=iris, role=Role.ASSESSOR)
    iris = User.objects.get(pk=iris.pk)
    pdr = accept(asha, *submit(add_evidence(amy_portfolio, "Plan"), *criteria_of_pdr()))
    wwo = accept(
        asha,
        *submit(
            add_evidence(amy_portfolio, "Team meeting"),
            criterion("RS-WWO", "1.1"),
            criterion("RS-WWO", "1.2"),
        ),
    )
    bens = PortfolioFactory(learner=ben, qualification=ocr, assessor=iris)
    own = accept(iris, *submit(add_evidence(bens, "Ben's plan"), *criteria_of_pdr()[:2]))
    return {"asha pdr": pdr, "asha wwo": wwo, "iris own": own}


@pytest.mark.parametrize(
    ("rates", "pdr_target", "wwo_target"),
    [
        ({}, 1, 1),
        ({"default": "50"}, 2, 1),
        ({"default": "10", "assessor": "75"}, 3, 2),
        ({"default": "10", "unit": "100"}, 4, 1),
        ({"default": "0"}, 0, 0),
    ],
    ids=["centre default of 10%", "default 50%", "assessor 75%", "unit 100%", "none"],
)
def test_the_sampling_page_proposes_the_oldest_decisions_at_the_set_rate(
    client: Client,
    iris: User,
    asha: User,
    pdr: Unit,
    sampled_centre: dict[str, list[Decision]],
    rates: dict[str, str],
    pdr_target: int,
    wwo_target: int,
) -> None:
    as_iris = signed_in(client, iris)
    if rates:
        form = {"default": rates["default"]}
        if "assessor" in rates:
            form[f"assessor-{asha.pk}"] = rates["assessor"]
        if "unit" in rates:
            form[f"unit-{pdr.pk}"] = rates["unit"]
        saved = as_iris.post(reverse("assessment:iqa_rates"), form)
        assert messages_of(saved) == ["Sampling rates saved; the proposed sample is updated."]

    page = text_of(as_iris.get(reverse("assessment:iqa_sampling")))

    pdr_heading = "Asha Patel · Plan, deliver and review reliable customer service"
    wwo_heading = "Asha Patel · Work with others to improve customer service"
    assert proposed(page, pdr_heading) == [d.pk for d in sampled_centre["asha pdr"][:pdr_target]]
    assert proposed(page, wwo_heading) == [d.pk for d in sampled_centre["asha wwo"][:wwo_target]]
    assert "4 decisions, 0 reviewed; rate" in page


def test_the_sampling_page_never_proposes_the_iqas_own_decisions(
    client: Client, iris: User, sampled_centre: dict[str, list[Decision]]
) -> None:
    as_iris = signed_in(client, iris)
    as_iris.post(reverse("assessment:iqa_rates"), {"default": "100"})

    page = text_of(as_iris.get(reverse("assessment:iqa_sampling")))

    linked = {int(pk) for pk in re.findall(r'href="/iqa/decisions/(\d+)/"', page)}
    assert linked == {d.pk for d in sampled_centre["asha pdr"] + sampled_centre["asha wwo"]}
    assert "Iris Okafor ·" not in page


def test_a_sampled_decision_leaves_the_proposal_once_reviewed(
    client: Client, iris: User, sampled_centre: dict[str, list[Decision]]
) -> None:
    as_iris = signed_in(client, iris)
    as_iris.post(reverse("assessment:iqa_rates"), {"default": "50"})
    first = sampled_centre["asha pdr"][0]
    assessment.iqa_review_record(actor=iris, decision=first, verdict="agree", feedback="")

    page = text_of(as_iris.get(reverse("assessment:iqa_sampling")))

    heading = "Asha Patel · Plan, deliver and review reliable customer service"
    assert proposed(page, heading) == [sampled_centre["asha pdr"][1].pk]
    assert "4 decisions, 1 reviewed; rate 50% → 2 to review." in page


def test_a_rate_over_100_is_shown_as_an_error(
    client: Client, iris: User, sampled_centre: dict[str, list[Decision]]
) -> None:
    response = signed_in(client, iris).post(reverse("assessment:iqa_rates"), {"default": "150"})

    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 100." in text_of(response)


def test_only_an_iqa_opens_the_sampling_pages(client: Client, asha: User) -> None:
    as_asha = signed_in(client, asha)

    assert as_asha.get(reverse("assessment:iqa_sampling")).status_code == 403
    assert as_asha.get(reverse("assessment:iqa_overview")).status_code == 403


def test_recording_a_disagreement_through_the_page_reopens_the_mapping(
    client: Client, iris: User, asha: User, sampled_centre: dict[str, list[Decision]]
) -> None:
    decision = sampled_centre["asha pdr"][0]
    as_iris = signed_in(client, iris)
    url = reverse("assessment:decision_sample", args=[decision.pk])
    page = text_of(as_iris.get(url))
    assert "Accepted by Asha Patel" in page
    assert "(the decision you are sampling)" in page

    response = as_iris.post(url, {"verdict": "disagree", "feedback": "The plan has no roles."})

    assert response.status_code == 302
    assert response.url == reverse("assessment:iqa_sampling")
    assert messages_of(response) == ["Your review is recorded and the assessor will be told."]
    review = IqaReview.objects.get()
    assert (review.decision, review.verdict, review.feedback) == (
        decision,
        "disagree",
        "The plan has no roles.",
    )
    mapping = Mapping.objects.get(pk=decision.mapping_id)
    assert mapping.status == MappingStatus.SUBMITTED
    assert (
        Notification.objects.filter(recipient=asha)
        .order_by("pk")
        .last()
        .message.endswith("It is back in your queue.")
    )
    assert "Already sampled." in text_of(as_iris.get(url))


def test_a_disagreement_without_feedback_shows_the_error_and_records_nothing(
    client: Client, iris: User, sampled_centre: dict[str, list[Decision]]
) -> None:
    decision = sampled_centre["asha pdr"][0]

    response = signed_in(client, iris).post(
        reverse("assessment:decision_sample", args=[decision.pk]), {"verdict": "disagree"}
    )

    assert response.status_code == 200
    assert "Tell the assessor why you disagree." in text_of(response)
    assert not IqaReview.objects.exists()


def test_sampling_your_own_decision_through_the_page_shows_the_refusal(
    client: Client, iris: User, sampled_centre: dict[str, list[Decision]]
) -> None:
    own = sampled_centre["iris own"][0]

    response = signed_in(client, User.objects.get(pk=iris.pk)).post(
        reverse("assessment:decision_sample", args=[own.pk]), {"verdict": "agree"}
    )

    assert response.status_code == 200
    assert "You cannot sample your own decisions; another IQA must review them." in text_of(
        response
    )
    assert not IqaReview.objects.exists()


def test_the_coverage_page_counts_decisions_samples_and_verdicts(
    client: Client, iris: User, sampled_centre: dict[str, list[Decision]]
) -> None:
    assessment.iqa_review_record(
        actor=iris, decision=sampled_centre["asha pdr"][0], verdict="agree", feedback=""
    )
    assessment.iqa_review_record(
        actor=iris, decision=sampled_centre["asha wwo"][1], verdict="disagree", feedback="Thin."
    )

    page = text_of(signed_in(client, iris).get(reverse("assessment:iqa_overview")))

    assert coverage_rows(page, "by-assessor") == {
        "Asha Patel": ["6", "2", "33%", "1", "1"],
        "Iris Okafor": ["2", "0", "0%", "0", "0"],
    }
    assert coverage_rows(page, "by-unit") == {
        "RS-PDR Plan, deliver and review reliable customer service": ["6", "1", "17%", "1", "0"],
        "RS-WWO Work with others to improve customer service": ["2", "1", "50%", "0", "1"],
    }
    assert (
        "Iris Okafor <strong>disagreed</strong> with Asha Patel’s decision to accept RS-WWO 1.2"
    ) in page


# The audit timeline --------------------------------------------------------------------------


def test_the_timeline_lists_every_audit_entry_in_order(
    as_asha: Client, asha: User, waiting: list[Mapping], amy_portfolio: Portfolio
) -> None:
    accept(asha, waiting[0])

    page = text_of(as_asha.get(timeline_url(amy_portfolio)))

    actions = re.findall(r"<strong>([^<]+)</strong>", page)
    codes = list(
        AuditEntry.objects.filter(portfolio=amy_portfolio)
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )
    assert codes == [
        "evidence.create",
        "evidence_file.add",
        "evidence_file.add",
        "mapping.create",
        "mapping.decide",
    ]
    assert actions == [audit_action(code).text for code in codes]
    assert actions == [
        "Added evidence",
        "Added a file",
        "Added a file",
        "Mapped evidence to criteria",
        "Recorded assessment decisions",
    ]


@pytest.mark.parametrize(
    ("who", "status"), [("iris", 200), ("ada", 200), ("amy", 403), ("tom", 403)]
)
def test_the_timeline_is_for_the_assessor_iqas_and_administrators(
    client: Client, request: pytest.FixtureRequest, amy_portfolio: Portfolio, who: str, status: int
) -> None:
    response = signed_in(client, request.getfixturevalue(who)).get(timeline_url(amy_portfolio))

    assert response.status_code == status


def test_the_timeline_downloads_as_csv_with_one_row_per_entry(
    as_asha: Client, asha: User, waiting: list[Mapping], amy_portfolio: Portfolio
) -> None:
    refer(asha, waiting[0], "Say more.")

    response = as_asha.get(timeline_url(amy_portfolio), {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="timeline-Amy-Archer-OCR-L3-RSSP-CERT.csv"'
    )
    rows = csv_rows(response)
    assert rows[0] == ["time", "person", "action", "object", "details", "changes"]
    entries = list(AuditEntry.objects.filter(portfolio=amy_portfolio).order_by("at", "pk"))
    assert len(rows) == 1 + len(entries)
    assert [row[2] for row in rows[1:]] == [audit_action(entry.action).text for entry in entries]
    assert rows[-1][1] == "Asha Patel"
    assert rows[-1][4] == "RS-PDR 1.1: referred, feedback “Say more.”"
    assert '"feedback": "Say more."' in rows[-1][5]


def test_the_timeline_csv_neutralises_text_that_would_run_as_a_formula(
    as_asha: Client, amy: User, amy_portfolio: Portfolio
) -> None:
    evidence = add_evidence(amy_portfolio, '=HYPERLINK("http://evil.test","Click")')
    learner_services.mappings_create(
        actor=amy,
        evidence=evidence,
        commentaries={criterion("RS-PDR", "1.1"): "=1+2"},
    )

    rows = csv_rows(as_asha.get(timeline_url(amy_portfolio), {"format": "csv"}))

    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    assert rows[1][3] == '\'=HYPERLINK("http://evil.test","Click")'
    mapping_row = next(row for row in rows if row[2] == "Mapped evidence to criteria")
    # The commentary travels inside the details and changes cells, which start with words and "{".
    assert "Commentary on RS-PDR 1.1: “=1+2”" in mapping_row[4]
    assert '"commentary": "=1+2"' in mapping_row[5]


# Notifications -------------------------------------------------------------------------------


def test_the_notifications_page_lists_the_persons_notifications(
    client: Client, amy: User, asha: User, waiting: list[Mapping]
) -> None:
    accept(asha, waiting[0])
    refer(asha, waiting[1], "Say more.")

    page = text_of(signed_in(client, amy).get(reverse("accounts:notification_list")))

    assert "Asha Patel accepted RS-PDR 1.1 from E1 “Customer feedback board”." in page
    assert "Asha Patel referred RS-PDR 1.2 from E1 “Customer feedback board”." in page
    assert page.count('<span class="badge text-bg-warning">New</span>') == 2
    assert "Amy Archer submitted" not in page


def test_marking_one_notification_read(
    client: Client, amy: User, asha: User, waiting: list[Mapping]
) -> None:
    accept(asha, waiting[0])
    refer(asha, waiting[1], "Say more.")
    first, second = Notification.objects.filter(recipient=amy).order_by("pk")

    response = signed_in(client, amy).post(
        reverse("accounts:notifications_read"), {"id": [str(first.pk)]}
    )

    assert response.status_code == 302
    assert messages_of(response) == ["Marked 1 notification read."]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


def test_marking_all_notifications_read(
    client: Client, amy: User, asha: User, waiting: list[Mapping]
) -> None:
    accept(asha, waiting[0])
    refer(asha, waiting[1], "Say more.")

    response = signed_in(client, amy).post(reverse("accounts:notifications_read"))

    assert messages_of(response) == ["Marked 2 notifications read."]
    assert not Notification.objects.filter(recipient=amy, read_at__isnull=True).exists()


def test_someone_cannot_mark_anothers_notifications_read(
    client: Client, amy: User, asha: User, ben: User, waiting: list[Mapping]
) -> None:
    accept(asha, waiting[0])
    note = Notification.objects.get(recipient=amy)

    signed_in(client, ben).post(reverse("accounts:notifications_read"), {"id": [str(note.pk)]})

    note.refresh_from_db()
    assert note.read_at is None


def test_the_navigation_shows_the_unread_count(
    client: Client, amy: User, asha: User, waiting: list[Mapping]
) -> None:
    as_amy = signed_in(client, amy)
    url = reverse("accounts:notification_list")
    assert 'class="badge text-bg-warning"' not in as_amy.get(url).content.decode()
    accept(asha, waiting[0])
    refer(asha, waiting[1], "Say more.")

    page = as_amy.get(url).content.decode()

    badge = '<span class="badge text-bg-warning">2<span class="visually-hidden"> unread</span>'
    assert badge in page
    as_amy.post(reverse("accounts:notifications_read"))
    assert 'visually-hidden"> unread' not in as_amy.get(url).content.decode()


def test_the_assessor_sees_submissions_in_their_unread_count(
    as_asha: Client, waiting: list[Mapping]
) -> None:
    page = as_asha.get(reverse("assessment:caseload")).content.decode()

    assert '<span class="badge text-bg-warning">1<span class="visually-hidden"> unread</span>' in (
        page
    )


def test_the_iqas_review_shows_in_the_history_for_staff_but_not_the_learner(
    as_asha: Client, client: Client, amy: User, iris: User, tom: User, waiting: list[Mapping]
) -> None:
    first, _ = waiting
    url = review_url(first.evidence)
    as_asha.post(
        url,
        {**seen_values(as_asha.get(url)), **TICKED, f"decision-{first.pk}": "accepted"},
    )
    decision = first.decisions.get()
    assessment.iqa_review_record(
        actor=iris, decision=decision, verdict="disagree", feedback="The photo is unreadable."
    )
    detail = reverse("portfolio:evidence_detail", args=[first.evidence_id])

    expected = "IQA: <strong>disagreed</strong> by Iris Okafor"
    assert expected in text_of(as_asha.get(url))
    assert "“The photo is unreadable.”" in text_of(as_asha.get(url))
    assert expected in text_of(signed_in(Client(), tom).get(detail))
    assert "IQA:" not in text_of(signed_in(client, amy).get(detail))
