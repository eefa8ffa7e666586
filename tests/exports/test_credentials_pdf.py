"""The PDF names the people who decided, with their credentials, and prints the IQA's
countersignatures word for word, withdrawn ones with why."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.core.cache import cache

from accounts import services as accounts
from accounts.models import User
from assessment import services as assessment
from assessment.models import Decision, IqaAgreement
from portfolio.models import Mapping, Portfolio
from qualifications.models import Unit
from tests.exports.test_exports import clear_section_cache, export_now
from tests.journeys import sign_off

pytestmark = pytest.mark.django_db

CAVA = "Level 3 Certificate in Assessing Vocational Achievement (CAVA)"


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def countersigned(amy_portfolio: Portfolio, pdr: Unit, asha: User, iris: User) -> Portfolio:
    clear_section_cache(amy_portfolio)
    accounts.credential_add(
        actor=asha, title=CAVA, awarding_body="City & Guilds", achieved_on=datetime.date(2021, 3, 1)
    )
    sign_off(amy_portfolio, pdr)
    decision = Decision.objects.filter(mapping__evidence__portfolio=amy_portfolio).first()
    assessment.iqa_review_record(
        actor=iris, decision=decision, verdict=IqaAgreement.AGREE, feedback=""
    )
    assessment.unit_countersign(actor=iris, portfolio=amy_portfolio, unit=pdr)
    return amy_portfolio


def test_the_pdf_lists_the_deciders_with_their_credentials_and_the_countersignature(
    countersigned: Portfolio, asha: User
) -> None:
    _, pdf = export_now(asha, countersigned)
    text = pdf.text

    assert "People and their credentials" in text
    assert "Asha Patel: assessed, signed off units" in text
    assert f"{CAVA}, City & Guilds, achieved 1 March 2021" in text
    assert (
        "Iris Okafor: countersigned (IQA), sampled decisions (IQA) No credentials recorded." in text
    )
    assert "IQA countersignatures" in text
    assert "I, Iris Okafor, internal quality assurer, confirm that I have sampled" in text
    assert "Countersigned by Iris Okafor on" in text


def test_a_withdrawn_countersignature_is_printed_with_its_reason(
    countersigned: Portfolio, pdr: Unit, asha: User
) -> None:
    mapping = Mapping.objects.filter(evidence__portfolio=countersigned, criterion__unit=pdr).first()
    assessment.mapping_reopen(actor=asha, mapping=mapping, reason="The photo is blurred.")

    _, pdf = export_now(asha, countersigned)

    assert "Withdrawn on" in pdf.text
    assert "The sign-off of RS-PDR was revoked" in pdf.text
    assert "The photo is blurred." in pdf.text
