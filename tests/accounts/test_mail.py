"""Every email the site sends comes as plain text and HTML with links on SITE_URL, and the
development console prints it as it reads."""

from __future__ import annotations

import datetime
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.mail import ReadableConsoleBackend, mail_message
from accounts.models import Notification, User
from accounts.notifications import notify, send_all_digests
from enrolment.tasks import send_invitations
from portfolio.models import Portfolio
from portfolio.services import eqa, witness

pytestmark = pytest.mark.django_db

SITE = "https://portfolio.example.org:8101"
LINK = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture(autouse=True)
def site_url(settings: Any) -> None:
    settings.SITE_URL = SITE + "/"  # a trailing slash must not double up in links


def parts(message: EmailMultiAlternatives) -> tuple[str, str]:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return message.body, html


def assert_links_on_site(message: EmailMultiAlternatives, *, at_least: int = 1) -> None:
    """Both parts carry the same links, every one on SITE_URL."""
    text, html = parts(message)
    text_links = LINK.findall(text)
    html_links = {link.replace("&amp;", "&") for link in LINK.findall(html)}
    assert len(text_links) >= at_least
    assert all(link == SITE or link.startswith(SITE + "/") for link in [*text_links, *html_links])
    assert set(text_links) <= html_links
    assert "127.0.0.1" not in text + html and "testserver" not in text + html


def test_an_invitation_is_text_and_html_with_the_set_password_link_on_the_site(
    amy: User,
) -> None:
    amy.set_unusable_password()
    amy.save()
    assert send_invitations.call([amy.pk]) == 1
    [message] = mail.outbox
    assert_links_on_site(message, at_least=2)
    text, html = parts(message)
    assert f"{SITE}/password-reset/" in text
    assert f"{SITE}/sign-in/" in text or f"{SITE}{reverse('accounts:login')}" in text
    assert "<a href=" in html and "Choose your password" in html


def test_a_password_reset_link_is_on_the_site_not_the_host_the_request_named(
    client: Client, amy: User
) -> None:
    client.post(reverse("accounts:password_reset"), {"email": amy.email}, HTTP_HOST="testserver")
    [message] = mail.outbox
    assert message.subject == "Reset your evidence portfolio password"
    assert_links_on_site(message)
    [link] = LINK.findall(message.body)
    response = client.get(link.removeprefix(SITE), follow=True)
    assert b"new password" in response.content.lower()


def test_a_witness_request_is_text_and_html_with_its_link_on_the_site(
    amy: User, amy_portfolio: Portfolio, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _, token = witness.witness_request_create(
            actor=amy,
            portfolio=amy_portfolio,
            witness=witness.Witness(
                name="Priya Patel",
                job_title="Store manager",
                relationship="Line manager",
                email="priya@shop.example",
            ),
            activity="Serving customers <on the tills> & cashing up.",
        )
    [message] = mail.outbox
    assert_links_on_site(message)
    text, html = parts(message)
    assert witness.witness_link(token) in text
    assert "&lt;on the tills&gt; &amp; cashing up" in html  # the activity is escaped in HTML
    assert "<on the tills> & cashing up" in text


def test_an_eqa_link_and_its_code_are_text_and_html(
    ada: User, amy_portfolio: Portfolio, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _, token = eqa.eqa_grant_create(
            actor=ada,
            assurer=eqa.Assurer(
                full_name="Erin External", email="erin@awarding.example", organisation="OCR"
            ),
            expires_on=timezone.localdate() + datetime.timedelta(days=7),
            portfolios=[amy_portfolio],
        )
    with django_capture_on_commit_callbacks(execute=True):
        eqa.eqa_code_send(token=token)
    link_message, code_message = mail.outbox
    assert_links_on_site(link_message)
    assert eqa.eqa_link(token) in parts(link_message)[0]
    code = code_message.subject.rsplit(" ", 1)[-1]
    assert all(code in part for part in parts(code_message))


def test_a_digest_is_text_and_html_with_each_notification_linked_on_the_site(
    amy: User,
) -> None:
    notify(recipient=amy, message="Asha accepted your evidence.", link="/portfolios/1/")
    notify(recipient=amy, message="Asha referred a mapping.", link="/portfolios/2/")
    assert send_all_digests() == 1
    [message] = mail.outbox
    assert_links_on_site(message, at_least=3)
    text, html = parts(message)
    # Each link opens the notification (marking it read), which goes on to its page.
    first, second = Notification.objects.filter(recipient=amy).order_by("pk")
    assert f"{SITE}{reverse('accounts:notification_open', args=[first.pk])}" in text
    assert f'<a href="{SITE}{reverse("accounts:notification_open", args=[second.pk])}"' in html


def test_the_console_prints_mail_decoded_with_links_whole() -> None:
    link = f"{SITE}/password-reset/MQ/{'a1b2c3d4e5' * 8}/?next=/portfolios/&tab=units"
    message = mail_message(
        template="portfolio/eqa_code_email",
        subject="Your sign-in code — for Zoë’s centre",
        to=["erin@awarding.example"],
        context={"grant": None, "code": f"123456 {link} café “quoted”", "minutes": 10},
    )
    stream = io.StringIO()
    assert ReadableConsoleBackend(stream=stream).send_messages([message]) == 1
    printed = stream.getvalue()
    assert "Subject: Your sign-in code — for Zoë’s centre" in printed
    assert "To: erin@awarding.example" in printed
    assert "Parts: text/plain, text/html" in printed
    assert link in printed.splitlines()[printed.splitlines().index("") + 3]
    assert "café “quoted”" in printed
    # Neither quoted-printable nor base64: no soft line breaks, no =E2=80=9C escapes, no HTML.
    assert "=\n" not in printed and "=E2" not in printed and "=3D" not in printed
    assert "Content-Transfer-Encoding" not in printed and "<html" not in printed


def test_the_development_settings_print_mail_with_the_readable_console() -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"EMAIL_HOST", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    printed = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.MAILERS)"],
        env={**env, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "config.settings"},
        cwd=settings_dir(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "accounts.mail.ReadableConsoleBackend" in printed


def settings_dir() -> str:
    import config

    return str(Path(config.__file__).resolve().parent.parent)
