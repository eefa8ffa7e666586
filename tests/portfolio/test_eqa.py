"""External quality assurance: the grant, the link and one-time code, the read-only sample,
expiry and revoking, and the log of every page the assurer opens."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from exports.models import PortfolioExport
from portfolio.errors import ActionRefused
from portfolio.models import AuditEntry, EqaGrant, EqaPageView, Portfolio
from portfolio.services import eqa
from qualifications.models import Unit
from tests.cast import person
from tests.factories import PortfolioFactory

pytestmark = pytest.mark.django_db

ERIN = eqa.Assurer(full_name="Erin External", email="Erin@Awarding.example", organisation="OCR")
NEXT_WEEK = timezone.localdate() + datetime.timedelta(days=7)


@pytest.fixture
def grant_to(
    ada: User, amy_portfolio: Portfolio, django_capture_on_commit_callbacks: Any
) -> Callable[..., tuple[EqaGrant, str]]:
    def grant_to(**extra: Any) -> tuple[EqaGrant, str]:
        values = {"assurer": ERIN, "expires_on": NEXT_WEEK, "portfolios": [amy_portfolio]}
        with django_capture_on_commit_callbacks(execute=True):
            return eqa.eqa_grant_create(actor=ada, **{**values, **extra})

    return grant_to


def send_code(token: str, captured: Any) -> str:
    with captured(execute=True):
        eqa.eqa_code_send(token=token)
    return mail.outbox[-1].subject.rsplit(" ", 1)[-1]


def signed_in(client: Client, token: str, captured: Any) -> Client:
    """The assurer opens the link, asks for a code and enters it, as in the browser."""
    with captured(execute=True):
        client.post(reverse("portfolio:eqa_link", args=[token]))
    code = mail.outbox[-1].subject.rsplit(" ", 1)[-1]
    response = client.post(reverse("portfolio:eqa_code", args=[token]), {"code": code})
    assert response.status_code == 302
    return client


@pytest.fixture
def as_erin(client: Client, grant_to: Callable, django_capture_on_commit_callbacks: Any) -> Client:
    _, token = grant_to()
    return signed_in(client, token, django_capture_on_commit_callbacks)


# Granting ----------------------------------------------------------------------------------


def test_a_grant_makes_a_guest_account_and_mails_a_link_whose_secret_is_not_stored(
    grant_to: Callable, amy_portfolio: Portfolio
) -> None:
    grant, token = grant_to()

    erin = grant.assurer
    assert erin.email == "erin@awarding.example"
    assert erin.roles == {Role.EQA}
    assert not erin.has_usable_password()
    assert token not in grant.token_hash
    assert grant.token_hash == eqa.token_hash(token)
    assert list(grant.portfolios.all()) == [amy_portfolio]
    assert grant.last_day == NEXT_WEEK
    [message] = mail.outbox
    assert message.to == ["erin@awarding.example"]
    assert reverse("portfolio:eqa_link", args=[token]) in message.body
    entry = AuditEntry.objects.get(action="eqa.grant")
    assert entry.portfolio is None
    assert "Sample: Amy Archer on OCR-L3-RSSP-CERT" in eqa_details(entry)


def eqa_details(entry: AuditEntry) -> list[str]:
    from portfolio.audit import describe

    return describe(entry).details


def test_a_unit_adds_every_portfolio_at_the_centre_that_takes_it(
    grant_to: Callable, amy_portfolio: Portfolio, ben_portfolio: Portfolio, oscar: User
) -> None:
    PortfolioFactory(learner=oscar, qualification=amy_portfolio.qualification)

    grant, _ = grant_to(portfolios=[], units=[Unit.objects.get(reference="RS-WWO")])

    assert set(grant.portfolios.all()) == {amy_portfolio, ben_portfolio}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"expires_on": timezone.localdate() - datetime.timedelta(days=1)}, "in the past"),
        ({"expires_on": timezone.localdate() + datetime.timedelta(days=91)}, "at most 90 days"),
        ({"portfolios": []}, "sample is empty"),
        ({"assurer": eqa.Assurer("Amy", "amy@northgate.test", "OCR")}, "already belongs"),
        ({"assurer": eqa.Assurer(" ", "x@awarding.example", "OCR")}, "assurer's name"),
    ],
)
def test_a_grant_is_refused_clearly_and_nothing_is_saved(
    grant_to: Callable, extra: dict[str, Any], message: str
) -> None:
    users = User.objects.count()

    with pytest.raises(ActionRefused, match=message.replace("'", "’?'?")):
        grant_to(**extra)

    assert not EqaGrant.objects.exists()
    assert User.objects.count() == users
    assert not AuditEntry.objects.exists()
    assert mail.outbox == []


def test_one_assurer_has_one_live_grant_and_a_new_one_reuses_the_account(
    grant_to: Callable, ada: User
) -> None:
    first, _ = grant_to()
    with pytest.raises(ActionRefused, match="already has access"):
        grant_to()

    eqa.eqa_grant_revoke(actor=ada, grant=first)
    second, _ = grant_to()

    assert second.assurer == first.assurer


def test_only_the_centres_administrators_grant_and_revoke(
    grant_to: Callable, iris: User, amy_portfolio: Portfolio, oscar: User
) -> None:
    with pytest.raises(ActionRefused, match="administrators"):
        eqa.eqa_grant_create(
            actor=iris, assurer=ERIN, expires_on=NEXT_WEEK, portfolios=[amy_portfolio]
        )
    grant, _ = grant_to()
    other_admin = person(oscar.centre, "Fay Foreign", Role.CENTRE_ADMIN)

    with pytest.raises(ActionRefused, match="administrators"):
        eqa.eqa_grant_revoke(actor=other_admin, grant=grant)
    with pytest.raises(ActionRefused, match="own centre"):
        eqa.eqa_grant_create(
            actor=other_admin, assurer=ERIN, expires_on=NEXT_WEEK, portfolios=[amy_portfolio]
        )


# The link and the code -----------------------------------------------------------------------


@pytest.mark.parametrize("spoil", ["unknown", "tampered", "expired", "revoked"])
def test_a_link_that_does_not_work_shows_one_plain_page_and_nothing_else(
    client: Client, grant_to: Callable, ada: User, spoil: str
) -> None:
    grant, token = grant_to()
    if spoil == "unknown":
        token = "not-a-link-anyone-was-sent"
    elif spoil == "tampered":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif spoil == "expired":
        EqaGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now())
    else:
        eqa.eqa_grant_revoke(actor=ada, grant=grant)
    sent = len(mail.outbox)

    for name, method in (("eqa_link", "get"), ("eqa_link", "post"), ("eqa_code", "post")):
        response = getattr(client, method)(
            reverse(f"portfolio:{name}", args=[token]), {"code": "1"}
        )
        assert response.status_code == 404
        page = response.content.decode()
        assert "This link has expired or has been withdrawn" in page
        assert "Northgate" not in page and "Erin" not in page

    assert len(mail.outbox) == sent
    assert not AuditEntry.objects.filter(action__in=["eqa.code_sent", "eqa.sign_in"]).exists()


def test_opening_the_link_sends_nothing_until_the_assurer_asks(
    client: Client, grant_to: Callable
) -> None:
    _, token = grant_to()

    response = client.get(reverse("portfolio:eqa_link", args=[token]))

    assert response.status_code == 200
    assert len(mail.outbox) == 1  # the link itself
    assert "Email me a sign-in code" in response.content.decode()


def test_the_right_code_signs_in_once_until_the_grant_ends(
    client: Client, grant_to: Callable, django_capture_on_commit_callbacks: Any
) -> None:
    grant, token = grant_to()
    code = send_code(token, django_capture_on_commit_callbacks)
    assert grant.assurer.email in mail.outbox[-1].to
    assert EqaGrant.objects.get().code_hash not in ("", code)

    response = client.post(reverse("portfolio:eqa_code", args=[token]), {"code": code})

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == grant.assurer.pk
    assert client.session.get_expiry_date() == grant.expires_at
    assert AuditEntry.objects.filter(action="eqa.sign_in").count() == 1
    with pytest.raises(ActionRefused, match="no code waiting"):
        eqa.eqa_code_check(token=token, code=code)


def test_five_wrong_codes_use_the_code_up_and_a_new_one_is_needed(
    grant_to: Callable, django_capture_on_commit_callbacks: Any
) -> None:
    _, token = grant_to()
    code = send_code(token, django_capture_on_commit_callbacks)
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    for left in (4, 3, 2, 1):
        with pytest.raises(ActionRefused, match=f"{left} more tr"):
            eqa.eqa_code_check(token=token, code=wrong)
    with pytest.raises(ActionRefused, match="last try"):
        eqa.eqa_code_check(token=token, code=wrong)
    with pytest.raises(ActionRefused, match="no code waiting"):
        eqa.eqa_code_check(token=token, code=code)

    EqaGrant.objects.update(code_sent_at=timezone.now() - datetime.timedelta(minutes=2))
    fresh = send_code(token, django_capture_on_commit_callbacks)
    assert eqa.eqa_code_check(token=token, code=fresh).assurer.email == "erin@awarding.example"


def test_a_code_lasts_ten_minutes_and_is_not_resent_within_a_minute(
    grant_to: Callable, django_capture_on_commit_callbacks: Any
) -> None:
    _, token = grant_to()
    code = send_code(token, django_capture_on_commit_callbacks)
    with pytest.raises(ActionRefused, match="less than a minute ago"):
        eqa.eqa_code_send(token=token)

    EqaGrant.objects.update(code_expires_at=timezone.now())

    with pytest.raises(ActionRefused, match="expired"):
        eqa.eqa_code_check(token=token, code=code)


def test_code_tries_from_one_address_are_limited(client: Client, grant_to: Callable) -> None:
    _, token = grant_to()
    url = reverse("portfolio:eqa_code", args=[token])

    statuses = [client.post(url, {"code": "000000"}).status_code for _ in range(11)]

    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


# Reading the sample ---------------------------------------------------------------------------


def test_the_assurer_reads_their_sample_and_nothing_else(
    as_erin: Client, amy_portfolio: Portfolio, ben_portfolio: Portfolio
) -> None:
    home = as_erin.get(reverse("dashboards:home")).content.decode()

    assert "Read-only access for external quality assurance until the end of" in home
    assert reverse("assessment:portfolio_detail", args=[amy_portfolio.pk]) in home
    assert reverse("assessment:portfolio_detail", args=[ben_portfolio.pk]) not in home
    assert (
        as_erin.get(reverse("assessment:portfolio_detail", args=[amy_portfolio.pk])).status_code
        == 200
    )
    assert (
        as_erin.get(reverse("assessment:portfolio_detail", args=[ben_portfolio.pk])).status_code
        == 404
    )
    assert as_erin.get(reverse("accounts:people_list")).status_code == 403
    assert as_erin.get(reverse("accounts:notification_list")).status_code == 403


def test_nothing_is_editable_and_a_pdf_cannot_be_requested(
    as_erin: Client, amy_portfolio: Portfolio, ocr: Any
) -> None:
    response = as_erin.post(
        reverse("exports:export_list", args=[amy_portfolio.pk]), {"scope": "whole"}
    )

    assert response.status_code == 403
    assert not PortfolioExport.objects.exists()
    assert (
        as_erin.post(
            reverse("assessment:portfolio_units", args=[amy_portfolio.pk]), {"action": "add"}
        ).status_code
        == 403
    )


def test_the_guest_cannot_set_a_password(as_erin: Client, grant_to: Callable) -> None:
    assert as_erin.get(reverse("accounts:password_change")).status_code == 403
    assert as_erin.post(reverse("accounts:sign_out_everywhere")).status_code == 403
    outbox = len(mail.outbox)

    Client().post(reverse("accounts:password_reset"), {"email": "erin@awarding.example"})

    assert len(mail.outbox) == outbox


def test_every_page_opened_is_logged_with_its_result(
    as_erin: Client, amy_portfolio: Portfolio, ben_portfolio: Portfolio
) -> None:
    EqaPageView.objects.all().delete()
    as_erin.get(reverse("assessment:portfolio_detail", args=[amy_portfolio.pk]))
    as_erin.get(reverse("assessment:portfolio_detail", args=[ben_portfolio.pk]))
    as_erin.get(reverse("accounts:people_list"))

    logged = list(EqaPageView.objects.order_by("pk").values_list("path", "status"))

    assert logged == [
        (f"/portfolios/{amy_portfolio.pk}/", 200),
        (f"/portfolios/{ben_portfolio.pk}/", 404),
        ("/people/", 403),
    ]


def test_revoking_ends_the_session_on_the_next_request(
    as_erin: Client, ada: User, amy_portfolio: Portfolio
) -> None:
    grant = EqaGrant.objects.get()
    eqa.eqa_grant_revoke(actor=ada, grant=grant)

    response = as_erin.get(reverse("assessment:portfolio_detail", args=[amy_portfolio.pk]))

    assert response.status_code == 403
    assert "Your access has ended" in response.content.decode()
    assert "_auth_user_id" not in as_erin.session
    assert as_erin.get(reverse("dashboards:home")).status_code == 302
    assert not Portfolio.objects.visible_to(grant.assurer).exists()


def test_access_lasts_to_the_end_of_the_last_day_and_not_a_moment_longer(
    as_erin: Client, amy_portfolio: Portfolio
) -> None:
    url = reverse("assessment:portfolio_detail", args=[amy_portfolio.pk])
    EqaGrant.objects.update(expires_at=timezone.now() + datetime.timedelta(seconds=30))
    assert as_erin.get(url).status_code == 200

    EqaGrant.objects.update(expires_at=timezone.now())

    assert as_erin.get(url).status_code == 403
    assert "_auth_user_id" not in as_erin.session


def test_a_grant_not_yet_begun_opens_nothing(grant_to: Callable) -> None:
    grant, _ = grant_to()
    EqaGrant.objects.update(starts_at=timezone.now() + datetime.timedelta(hours=1))

    assert not Portfolio.objects.visible_to(grant.assurer).exists()


# The administrator's pages --------------------------------------------------------------------


def test_the_administrator_grants_from_the_form(
    client: Client, ada: User, amy_portfolio: Portfolio, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(ada)
    form = {
        "full_name": "Erin External",
        "email": "erin@awarding.example",
        "organisation": "OCR",
        "expires_on": NEXT_WEEK.isoformat(),
        "portfolios": [str(amy_portfolio.pk)],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("enrolment:eqa_grant_create"), form)

    grant = EqaGrant.objects.get()
    assert response.headers["Location"] == reverse("enrolment:eqa_grant_detail", args=[grant.pk])
    assert len(mail.outbox) == 1


def test_an_empty_sample_is_shown_again_with_what_to_do(client: Client, ada: User) -> None:
    client.force_login(ada)
    form = {
        "full_name": "Erin External",
        "email": "erin@awarding.example",
        "organisation": "OCR",
        "expires_on": NEXT_WEEK.isoformat(),
    }

    response = client.post(reverse("enrolment:eqa_grant_create"), form)

    assert response.status_code == 200
    assert "Choose at least one learner’s portfolio or one unit" in response.content.decode()
    assert not EqaGrant.objects.exists()


def test_the_grant_page_lists_the_pages_opened_in_fixed_queries(
    client: Client,
    ada: User,
    as_erin: Client,
    amy_portfolio: Portfolio,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    grant = EqaGrant.objects.get()
    url = reverse("enrolment:eqa_grant_detail", args=[grant.pk])
    admin = Client()
    admin.force_login(ada)
    for _ in range(30):
        as_erin.get(reverse("portfolio:evidence_library", args=[amy_portfolio.pk]))

    with django_assert_max_num_queries(10):
        page = admin.get(url).content.decode()
    with django_assert_max_num_queries(8):
        admin.get(reverse("enrolment:eqa_grant_list"))

    assert f"/portfolios/{amy_portfolio.pk}/evidence/" in page
    assert "Signed in for external quality assurance" in page
    assert "Granted an external quality assurer read-only access" in page


def test_the_revoke_page_asks_before_it_revokes(
    client: Client, ada: User, grant_to: Callable
) -> None:
    grant, _ = grant_to()
    client.force_login(ada)
    url = reverse("enrolment:eqa_grant_revoke", args=[grant.pk])

    assert "Revoke access" in client.get(url).content.decode()
    assert EqaGrant.objects.get().state == "active"
    client.post(url)
    assert EqaGrant.objects.get().state == "revoked"
    client.post(url)
    assert AuditEntry.objects.filter(action="eqa.revoke").count() == 1


def test_the_assurers_home_lists_the_sample_in_fixed_queries(
    as_erin: Client,
    grant_to: Callable,
    ada: User,
    ben_portfolio: Portfolio,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    with django_assert_max_num_queries(11):
        as_erin.get(reverse("dashboards:home"))
    grant = EqaGrant.objects.get()
    grant.portfolios.add(ben_portfolio, *[PortfolioFactory(centre=ada.centre) for _ in range(5)])

    with django_assert_max_num_queries(11):
        page = as_erin.get(reverse("dashboards:home")).content.decode()

    assert "Your sample (7)" in page
