"""The demo's external quality assurer: Erin, from the awarding body, with read-only access to
a sample that includes Amy's OCR apprenticeship and a few pages already opened."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Centre, User
from demo.people import DEMO_CENTRE
from portfolio.models import EqaGrant, Portfolio
from portfolio.services import eqa

ERIN = eqa.Assurer(
    full_name="Erin Assessor-External",
    email="erin@awarding.example",
    organisation="OCR",
)


@transaction.atomic
def seed_demo_eqa() -> str | None:
    """Grant Erin access once; returns her link when it is new (the secret is never stored, so
    a later run cannot show it: revoke and grant again as Ada for a new one)."""
    centre = Centre.objects.get(name=DEMO_CENTRE)
    if EqaGrant.objects.filter(centre=centre, assurer__email=ERIN.email).exists():
        return None
    sample = Portfolio.objects.filter(
        centre=centre, qualification__reference="OCR-L3-RSSP-CERT"
    ).order_by("learner__full_name")
    if not sample.exists():
        return None
    ada = User.objects.get(email="ada@northgate.example")
    grant, token = eqa.eqa_grant_create(
        actor=ada,
        assurer=ERIN,
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
        portfolios=sample,
    )
    amy = sample.filter(learner__email="amy@northgate.example").first()
    opened = [reverse("dashboards:home")]
    if amy is not None:
        opened += [
            reverse("assessment:portfolio_detail", args=[amy.pk]),
            reverse("portfolio:evidence_library", args=[amy.pk]),
            reverse("exports:export_list", args=[amy.pk]),
        ]
    for path in opened:
        eqa.eqa_page_view_record(grant=grant, path=path, status=200)
    return eqa.eqa_link(token)
