"""The demo's assessing credentials (Asha's CAVA, Iris's IQA award and CAVA) and an IQA
countersignature: Iris samples and countersigns the unit Asha signed off for Ben. Idempotent,
through the services."""

from __future__ import annotations

import datetime

from accounts import services as account_services
from accounts.models import User
from assessment import services as assessment_services
from assessment.models import Countersignature, Decision, IqaAgreement, Outcome, UnitSignOff
from portfolio.models import Portfolio

CAVA = "Level 3 Certificate in Assessing Vocational Achievement (CAVA)"
IQA_AWARD = "Level 4 Award in the Internal Quality Assurance of Assessment Processes and Practice"
CREDENTIALS = {
    "asha": [(CAVA, "City & Guilds", datetime.date(2021, 3, 12), "CG-3-1043-8821")],
    "iris": [
        (CAVA, "Pearson", datetime.date(2016, 11, 4), ""),
        (IQA_AWARD, "Pearson", datetime.date(2019, 6, 21), "PE-4-IQA-55120"),
    ],
}


def seed_demo_credentials(people: dict[str, User], signed: Portfolio | None) -> None:
    """Credentials for Asha and Iris; Iris's countersignature on a unit of `signed`."""
    for key, credentials in CREDENTIALS.items():
        person = people.get(key)
        if person is None or person.credentials.exists():
            continue
        for title, body, achieved, number in credentials:
            account_services.credential_add(
                actor=person,
                title=title,
                awarding_body=body,
                achieved_on=achieved,
                certificate_number=number,
            )
    if signed is not None and "iris" in people:
        _countersign(people["iris"], signed)


def _countersign(iris: User, portfolio: Portfolio) -> None:
    """Iris samples one acceptance in the first signed-off unit, then countersigns it."""
    sign_off = (
        UnitSignOff.objects.select_related("unit")
        .filter(portfolio=portfolio, revoked_at__isnull=True)
        .order_by("signed_at")
        .first()
    )
    if sign_off is None or Countersignature.objects.filter(portfolio=portfolio).exists():
        return
    decisions = Decision.objects.filter(
        mapping__evidence__portfolio=portfolio,
        mapping__criterion__unit=sign_off.unit,
        outcome=Outcome.ACCEPTED,
    ).order_by("pk")
    if not decisions.filter(iqa_review__isnull=False).exists():
        assessment_services.iqa_review_record(
            actor=iris, decision=decisions.first(), verdict=IqaAgreement.AGREE, feedback=""
        )
    assessment_services.unit_countersign(actor=iris, portfolio=portfolio, unit=sign_off.unit)
