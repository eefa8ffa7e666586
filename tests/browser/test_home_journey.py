"""The learner's and the assessor's homes: each waiting item is one click from the page where it
is done. Every page passes axe and fits a phone and a desktop."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.models import Notification, User
from assessment.models import PlanItem, PlanMethod
from portfolio.models import Portfolio
from qualifications.models import Unit
from tests.catalogue import criterion
from tests.factories import MappingFactory
from tests.journeys import add_evidence, declare, meet_unit, refer, submit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [390, 1366])
def test_each_item_on_the_learners_home_opens_where_it_is_done(
    browser: Browser,
    live_server,
    amy: User,
    asha: User,
    amy_portfolio: Portfolio,
    pdr: Unit,
    sign_in: Callable[..., Page],
    assert_accessible: Callable[[Page], None],
    assert_fits: Callable[[Page], None],
    width: int,
) -> None:
    meet_unit(amy_portfolio, pdr)
    [referred] = submit(add_evidence(amy_portfolio, "Till briefing"), criterion("RS-WWO", "1.1"))
    refer(asha, referred, "Say which customers you spoke to.")
    drafts = add_evidence(amy_portfolio, "Stock rotation notes")
    MappingFactory(evidence=drafts, criterion=criterion("RS-WWO", "1.2"))

    def home_then_check(page: Page) -> None:
        page.goto(f"{live_server.url}/")
        expect(page.get_by_role("heading", name="Your next steps")).to_be_visible()
        assert_accessible(page)
        assert_fits(page)

    def check(page: Page) -> None:
        assert_accessible(page)
        assert_fits(page)

    context = browser.new_context(viewport={"width": width, "height": 900})
    page = sign_in(context, amy)
    home_then_check(page)

    page.get_by_role("link", name="Declare this unit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Declare {pdr.title}")
    check(page)

    home_then_check(page)
    page.get_by_role("link", name="Revise RS-WWO 1.1 on “Till briefing”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Commentary for criterion RS-WWO 1.1")
    check(page)

    home_then_check(page)
    page.get_by_role("link", name="Stock rotation notes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^E\d+ Stock rotation notes$")
    )
    check(page)

    # The notification of the referral: opening it marks it read.
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("link", name="referred RS-WWO 1.1", exact=False).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^E\d+ Till briefing$"))
    assert not Notification.objects.filter(
        recipient=amy, message__contains="referred RS-WWO 1.1", read_at__isnull=True
    ).exists()
    context.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_each_item_on_the_assessors_home_opens_where_it_is_done(
    browser: Browser,
    live_server,
    amy: User,
    asha: User,
    amy_portfolio: Portfolio,
    ben_portfolio: Portfolio,
    pdr: Unit,
    sign_in: Callable[..., Page],
    assert_accessible: Callable[[Page], None],
    assert_fits: Callable[[Page], None],
    width: int,
) -> None:
    submit(add_evidence(ben_portfolio, "Window display"), criterion("RS-WWO", "1.1"))
    meet_unit(amy_portfolio, pdr)
    declare(amy_portfolio, pdr)
    item = PlanItem.objects.create(
        portfolio=amy_portfolio,
        activity="Lead the Saturday team briefing",
        method=PlanMethod.OBSERVATION,
        target_date=timezone.localdate() - datetime.timedelta(days=5),
        created_by=asha,
    )
    item.criteria.add(criterion("RS-WWO", "2.1"))

    def home_then_check(page: Page) -> None:
        page.goto(f"{live_server.url}/")
        expect(page.get_by_role("heading", name="Waiting for you as assessor")).to_be_visible()
        assert_accessible(page)
        assert_fits(page)

    def check(page: Page) -> None:
        assert_accessible(page)
        assert_fits(page)

    context = browser.new_context(viewport={"width": width, "height": 900})
    page = sign_in(context, asha)
    home_then_check(page)

    page.get_by_role("link", name="Window display").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^E\d+ Window display$"))
    expect(page.get_by_role("button", name="Record decisions", exact=False)).to_be_visible()
    check(page)

    home_then_check(page)
    page.get_by_role("link", name=f"Sign off {pdr.title} for Amy Archer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Sign off {pdr.title}")
    check(page)

    home_then_check(page)
    page.get_by_role("link", name="Lead the Saturday team briefing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change a plan item")
    check(page)
    context.close()
