"""The IQA's countersignature of a signed-off unit or a complete portfolio: who may sign,
the exact words kept, the refusals (own work, nothing sampled, nothing signed off), and its
withdrawal when the sign-off beneath it is revoked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Membership, Notification, Role, User
from assessment import services as assessment
from assessment.models import Countersignature, Decision, IqaAgreement, UnitSignOff
from assessment.services import countersignatures
from portfolio.errors import ActionRefused
from portfolio.models import AuditEntry, Mapping, Portfolio
from qualifications.models import Unit
from tests.journeys import declare, meet_unit, sign_off

pytestmark = pytest.mark.django_db


def sample(iris: User, portfolio: Portfolio, unit: Unit) -> None:
    """Iris agrees with one decision on the unit: the unit has been sampled."""
    decision = Decision.objects.filter(
        mapping__evidence__portfolio=portfolio, mapping__criterion__unit=unit
    ).first()
    assessment.iqa_review_record(
        actor=iris, decision=decision, verdict=IqaAgreement.AGREE, feedback=""
    )


@pytest.fixture
def signed(amy_portfolio: Portfolio, pdr: Unit, iris: User) -> UnitSignOff:
    """Amy's RS-PDR signed off by Asha and sampled by Iris."""
    signed_off = sign_off(amy_portfolio, pdr)
    sample(iris, amy_portfolio, pdr)
    return signed_off


def snapshot() -> tuple[list, int, int]:
    return (
        list(Countersignature.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


@contextmanager
def refused(message: str) -> Iterator[None]:
    """Refused with exactly this message, and nothing at all written."""
    before = snapshot()
    with pytest.raises(ActionRefused) as caught:
        yield
    assert caught.value.message == message
    assert snapshot() == before


def test_the_iqa_countersigns_a_sampled_signed_off_unit_in_the_exact_words_shown(
    amy_portfolio: Portfolio, pdr: Unit, iris: User, asha: User, amy: User, signed: UnitSignOff
) -> None:
    shown = assessment.unit_countersignature_wording(iris, amy_portfolio, signed)

    countersignature = assessment.unit_countersign(actor=iris, portfolio=amy_portfolio, unit=pdr)

    assert (countersignature.unit, countersignature.signed_by) == (pdr, iris)
    assert countersignature.wording == shown
    assert shown.startswith("I, Iris Okafor, internal quality assurer, confirm that I have sampled")
    assert f"signed off by {asha.full_name} on " in shown
    entry = AuditEntry.objects.order_by("-pk").first()
    assert (entry.action, entry.actor, entry.portfolio) == ("unit.countersign", iris, amy_portfolio)
    assert entry.changes == {"after": {"unit": "RS-PDR", "wording": shown}}
    for person in (asha, amy):
        assert Notification.objects.filter(
            recipient=person, message=f"Iris Okafor countersigned {pdr.title}."
        ).exists()


def test_only_an_iqa_of_the_centre_may_countersign(
    amy_portfolio: Portfolio, pdr: Unit, asha: User, olu: User, tom: User, signed: UnitSignOff
) -> None:
    for person in (asha, olu, tom):
        with refused("Only an internal quality assurer at this centre can countersign."):
            assessment.unit_countersign(actor=person, portfolio=amy_portfolio, unit=pdr)


def test_an_iqa_may_not_countersign_a_unit_they_assessed(
    amy_portfolio: Portfolio, pdr: Unit, iris: User, asha: User, sam: User
) -> None:
    """Iris assessed the unit while she was Amy's assessor; Asha took over and signed off."""
    Membership.objects.create(user=iris, role=Role.ASSESSOR)
    iris._roles_cache = None
    Portfolio.objects.filter(pk=amy_portfolio.pk).update(assessor=iris)
    amy_portfolio.refresh_from_db()
    meet_unit(amy_portfolio, pdr)
    Portfolio.objects.filter(pk=amy_portfolio.pk).update(assessor=asha)
    amy_portfolio.refresh_from_db()
    declare(amy_portfolio, pdr)
    assessment.unit_sign_off(actor=asha, portfolio=amy_portfolio, unit=pdr)
    Membership.objects.create(user=sam, role=Role.IQA)
    sample(sam, amy_portfolio, pdr)

    with refused("You assessed or signed off this work: another IQA must countersign it."):
        assessment.unit_countersign(actor=iris, portfolio=amy_portfolio, unit=pdr)
    assert (
        assessment.unit_countersign(actor=sam, portfolio=amy_portfolio, unit=pdr).signed_by == sam
    )


def test_the_learners_assessor_may_not_countersign_even_as_an_iqa(
    amy_portfolio: Portfolio, pdr: Unit, asha: User, signed: UnitSignOff
) -> None:
    Membership.objects.create(user=asha, role=Role.IQA)
    asha._roles_cache = None

    with refused("You are this learner’s assessor: another IQA must countersign your assessment."):
        assessment.unit_countersign(actor=asha, portfolio=amy_portfolio, unit=pdr)


def test_a_unit_not_signed_off_or_not_sampled_is_refused(
    amy_portfolio: Portfolio, pdr: Unit, wwo: Unit, iris: User
) -> None:
    meet_unit(amy_portfolio, pdr)
    sample(iris, amy_portfolio, pdr)
    with refused(f"{pdr.title} is not signed off: only a signed-off unit can be countersigned."):
        assessment.unit_countersign(actor=iris, portfolio=amy_portfolio, unit=pdr)

    sign_off(amy_portfolio, wwo)
    with refused(f"Sample at least one decision on {wwo.title} before countersigning it."):
        assessment.unit_countersign(actor=iris, portfolio=amy_portfolio, unit=wwo)


def test_a_unit_is_countersigned_once(
    amy_portfolio: Portfolio, pdr: Unit, iris: User, signed: UnitSignOff
) -> None:
    assessment.unit_countersign(actor=iris, portfolio=amy_portfolio, unit=pdr)

    with refused(f"{pdr.title} is already countersigned."):
        assessment.unit_countersign(actor=iris, portfolio=amy_portfolio, unit=pdr)


def test_the_database_keeps_one_active_countersignature_per_unit(
    amy_portfolio: Portfolio, pdr: Unit, iris: User, signed: UnitSignOff
) -> None:
    assessment.unit_countersign(actor=iris, portfolio=amy_portfolio, unit=pdr)

    with pytest.raises(IntegrityError), transaction.atomic():
        Countersignature.objects.create(
            portfolio=amy_portfolio, unit=pdr, signed_by=iris, wording="Again."
        )


def test_a_countersignature_is_revoked_never_deleted(
    amy_portfolio: Portfolio, pdr: Unit, iris: User, signed: UnitSignOff
) -> None:
    countersignature = assessment.unit_countersign(actor=iris, portfolio=amy_portfolio, unit=pdr)

    with pytest.raises(TypeError):
        countersignature.delete()
    with pytest.raises(TypeError):
        Countersignature.objects.all().delete()


def test_a_failure_after_the_row_is_written_leaves_nothing_behind(
    amy_portfolio: Portfolio, pdr: Unit, iris: User, signed: UnitSignOff, monkeypatch
) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("the notification could not be written")

    monkeypatch.setattr(countersignatures, "notify", broken)
    before = snapshot()

    with pytest.raises(RuntimeError):
        assessment.unit_countersign(actor=iris, portfolio=amy_portfolio, unit=pdr)

    assert snapshot() == before


def test_reopening_an_acceptance_revokes_the_sign_off_and_the_countersignatures_on_it(
    amy_portfolio: Portfolio, pdr: Unit, wwo: Unit, iris: User, asha: User
) -> None:
    sign_off(amy_portfolio, pdr)
    sign_off(amy_portfolio, wwo)
    sample(iris, amy_portfolio, pdr)
    sample(iris, amy_portfolio, wwo)
    on_pdr = assessment.unit_countersign(actor=iris, portfolio=amy_portfolio, unit=pdr)
    on_wwo = assessment.unit_countersign(actor=iris, portfolio=amy_portfolio, unit=wwo)
    whole = assessment.portfolio_countersign(actor=iris, portfolio=amy_portfolio)
    mapping = Mapping.objects.filter(evidence__portfolio=amy_portfolio, criterion__unit=pdr).first()

    assessment.mapping_reopen(actor=asha, mapping=mapping, reason="The photo is not hers.")

    for item in (on_pdr, on_wwo, whole):
        item.refresh_from_db()
    assert (on_pdr.revoked_by, whole.revoked_by) == (asha, asha)
    assert on_pdr.revoke_reason == (
        f"The sign-off of RS-PDR was revoked: Criterion {mapping.criterion.reference} was "
        "reopened: The photo is not hers."
    )
    assert whole.revoke_reason == on_pdr.revoke_reason
    assert on_wwo.revoked_at is None  # its own sign-off stands
    revocations = AuditEntry.objects.filter(action="countersignature.revoke").order_by("pk")
    assert [entry.changes["unit"] for entry in revocations] == ["RS-PDR", "the whole portfolio"]
    # Signed off again and sampled, the unit can be countersigned afresh.
    mapping.refresh_from_db()
    assessment.mappings_decide(
        actor=asha,
        evidence=mapping.evidence,
        requests=[
            assessment.DecisionRequest(
                mapping.pk, "accepted", "", mapping.submitted_at, assessment.Vacsr.confirmed()
            )
        ],
    )
    assessment.unit_sign_off(actor=asha, portfolio=amy_portfolio, unit=pdr)
    assert (
        assessment.unit_countersign(actor=iris, portfolio=amy_portfolio, unit=pdr).revoked_at
        is None
    )


def test_an_iqa_disagreement_that_reopens_also_withdraws_the_countersignature(
    amy_portfolio: Portfolio, pdr: Unit, iris: User, signed: UnitSignOff
) -> None:
    countersignature = assessment.unit_countersign(actor=iris, portfolio=amy_portfolio, unit=pdr)
    unsampled = Decision.objects.filter(
        mapping__evidence__portfolio=amy_portfolio, iqa_review__isnull=True
    ).first()

    assessment.iqa_review_record(
        actor=iris, decision=unsampled, verdict=IqaAgreement.DISAGREE, feedback="Too thin."
    )

    countersignature.refresh_from_db()
    assert countersignature.revoked_by == iris
    assert "IQA disagreed: Too thin." in countersignature.revoke_reason


def test_the_whole_portfolio_is_countersigned_only_when_complete_and_sampled(
    amy_portfolio: Portfolio, pdr: Unit, wwo: Unit, iris: User
) -> None:
    sign_off(amy_portfolio, pdr)
    with refused("The portfolio is not complete: every unit must be signed off first."):
        assessment.portfolio_countersign(actor=iris, portfolio=amy_portfolio)
    sign_off(amy_portfolio, wwo)
    with refused("Sample at least one decision in this portfolio before countersigning it."):
        assessment.portfolio_countersign(actor=iris, portfolio=amy_portfolio)
    sample(iris, amy_portfolio, wwo)

    whole = assessment.portfolio_countersign(actor=iris, portfolio=amy_portfolio)

    assert whole.unit is None
    assert whole.wording == (
        "I, Iris Okafor, internal quality assurer, confirm that I have sampled the assessment of "
        f"Amy Archer’s portfolio for {amy_portfolio.qualification.title}, that every unit it "
        "needs is signed off, and that I countersign the portfolio as complete."
    )
    assert AuditEntry.objects.order_by("-pk").first().action == "portfolio.countersign"
    with refused("The portfolio is already countersigned."):
        assessment.portfolio_countersign(actor=iris, portfolio=amy_portfolio)


# Pages ---------------------------------------------------------------------------------------


def test_the_portfolio_page_offers_the_iqa_the_countersignature_and_shows_it_to_everyone(
    client, amy_portfolio: Portfolio, pdr: Unit, iris: User, amy: User, signed: UnitSignOff
) -> None:
    url = reverse("assessment:unit_countersign", args=[amy_portfolio.pk, pdr.pk])
    page = reverse("assessment:portfolio_detail", args=[amy_portfolio.pk])
    client.force_login(iris)
    assert url in client.get(page).content.decode()

    shown = client.get(url).content.decode()
    assert "I, Iris Okafor, internal quality assurer" in shown
    refused_page = client.post(url, {})
    assert "Tick the box to confirm the countersignature." in refused_page.content.decode()
    assert not Countersignature.objects.exists()
    response = client.post(url, {"confirm": "yes"})

    assert response.status_code == 302
    assert Countersignature.objects.get().signed_by == iris
    assert url not in client.get(page).content.decode()
    client.force_login(amy)
    text = client.get(page).content.decode()
    assert "IQA countersignatures" in text
    assert "countersigned by Iris Okafor" in text
    assert url not in text


def test_the_countersign_page_says_why_when_it_is_not_allowed(
    client, amy_portfolio: Portfolio, pdr: Unit, iris: User
) -> None:
    client.force_login(iris)
    url = reverse("assessment:unit_countersign", args=[amy_portfolio.pk, pdr.pk])

    text = client.get(url).content.decode()
    posted = client.post(url, {"confirm": "yes"})

    assert f"{pdr.title} is not signed off" in text
    assert 'name="confirm"' not in text
    assert f"{pdr.title} is not signed off" in posted.content.decode()
    assert not Countersignature.objects.exists()


def test_a_unit_outside_the_portfolio_is_not_found(
    client, amy_portfolio: Portfolio, iris: User, ocr
) -> None:
    stranger = Unit.objects.exclude(qualifications=amy_portfolio.qualification).first()
    client.force_login(iris)
    if stranger is None:
        pytest.skip("the catalogue has no unit outside the portfolio's qualification")
    url = reverse("assessment:unit_countersign", args=[amy_portfolio.pk, stranger.pk])

    assert client.get(url).status_code == 404


def test_the_timeline_reads_the_countersignature_and_its_withdrawal(
    client, amy_portfolio: Portfolio, pdr: Unit, iris: User, asha: User, signed: UnitSignOff
) -> None:
    assessment.unit_countersign(actor=iris, portfolio=amy_portfolio, unit=pdr)
    mapping = Mapping.objects.filter(evidence__portfolio=amy_portfolio, criterion__unit=pdr).first()
    assessment.mapping_reopen(actor=asha, mapping=mapping, reason="Wrong photo.")
    client.force_login(iris)

    text = client.get(reverse("assessment:portfolio_timeline", args=[amy_portfolio.pk]))
    text = text.content.decode()

    assert "Countersigned a unit as IQA" in text
    assert "An IQA countersignature was withdrawn" in text
    assert "Wrong photo." in text
