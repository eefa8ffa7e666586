"""Notifications: an in-app row per event, and one email digest per person for what is waiting."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Notification, User
from accounts.notifications import notify, send_all_digests, send_digest
from portfolio import services as learner_services
from portfolio.models import Mapping, Portfolio
from tests.catalogue import criterion
from tests.journeys import accept, add_evidence, refer, submit

pytestmark = pytest.mark.django_db


def pending(user: User) -> int:
    return Notification.objects.filter(recipient=user, emailed_at__isnull=True).count()


def test_notify_creates_an_unread_in_app_notification(amy: User) -> None:
    notification = notify(recipient=amy, message="Your plan was accepted.", link="/evidence/1/")

    stored = Notification.objects.get()
    assert stored == notification
    assert (stored.recipient, stored.message, stored.link) == (
        amy,
        "Your plan was accepted.",
        "/evidence/1/",
    )
    assert (stored.read_at, stored.emailed_at) == (None, None)


def test_notify_cuts_long_messages_to_fit(amy: User) -> None:
    notify(recipient=amy, message="x" * 400, link="/" + "y" * 400)

    stored = Notification.objects.get()
    assert (len(stored.message), len(stored.link)) == (300, 300)


def test_notify_tells_nobody_when_there_is_no_recipient(db: None) -> None:
    assert notify(recipient=None, message="Nobody to tell.", link="/") is None
    assert not Notification.objects.exists()


def test_notify_skips_an_inactive_person(amy: User) -> None:
    amy.is_active = False
    amy.save(update_fields=["is_active"])

    assert notify(recipient=amy, message="Gone.", link="/") is None
    assert not Notification.objects.exists()


def test_the_services_notify_the_people_involved(
    amy: User, asha: User, amy_portfolio: Portfolio
) -> None:
    evidence = add_evidence(amy_portfolio)
    first, second = submit(evidence, criterion("RS-PDR", "1.1"), criterion("RS-PDR", "1.2"))
    accept(asha, first)
    refer(asha, second, "Say more.")

    assert list(
        Notification.objects.order_by("pk").values_list("recipient__full_name", "message")
    ) == [
        (
            "Asha Patel",
            "Amy Archer submitted RS-PDR 1.1 and RS-PDR 1.2 from E1 “Customer feedback board” "
            "for assessment.",
        ),
        ("Amy Archer", "Asha Patel accepted RS-PDR 1.1 from E1 “Customer feedback board”."),
        ("Amy Archer", "Asha Patel referred RS-PDR 1.2 from E1 “Customer feedback board”."),
    ]


@pytest.fixture
def waiting_notifications(amy: User, asha: User) -> None:
    """Three things to tell Amy and one to tell Asha."""
    for n in range(1, 4):
        notify(recipient=amy, message=f"Update {n} for Amy.", link=f"/evidence/{n}/")
    notify(recipient=asha, message="Amy submitted something.", link="/assess/evidence/1/")


def test_a_digest_sends_one_email_with_every_pending_notification(
    amy: User, waiting_notifications: None
) -> None:
    sent = send_digest.call(amy.pk)

    assert sent == 3
    [email] = mail.outbox
    assert email.to == [amy.email]
    assert email.subject == "3 updates in your evidence portfolio"
    site = settings.SITE_URL.rstrip("/")
    # Each link opens the notification, which marks it read and goes on to its page.
    for n, pk in enumerate(
        Notification.objects.filter(recipient=amy).order_by("pk").values_list("pk", flat=True), 1
    ):
        assert f"- Update {n} for Amy.\n  {site}/notifications/{pk}/" in email.body
    assert email.body.startswith("Hello Amy,")
    assert (
        email.body.index("Update 1") < email.body.index("Update 2") < email.body.index("Update 3")
    )
    assert "Amy submitted something." not in email.body
    assert pending(amy) == 0


def test_a_digest_of_one_notification_says_one_update(amy: User) -> None:
    notify(recipient=amy, message="Just this.", link="/")

    send_digest.call(amy.pk)

    assert [email.subject for email in mail.outbox] == ["1 update in your evidence portfolio"]


def test_a_second_digest_sends_nothing(amy: User, waiting_notifications: None) -> None:
    send_digest.call(amy.pk)

    assert send_digest.call(amy.pk) == 0
    assert len(mail.outbox) == 1


def test_only_new_notifications_go_in_the_next_digest(
    amy: User, waiting_notifications: None
) -> None:
    send_digest.call(amy.pk)
    notify(recipient=amy, message="Something new.", link="/new/")

    assert send_digest.call(amy.pk) == 1
    assert "Something new." in mail.outbox[-1].body
    assert "Update 1" not in mail.outbox[-1].body


def test_all_digests_send_one_email_per_person_and_mark_them_emailed(
    amy: User, asha: User, waiting_notifications: None
) -> None:
    assert send_all_digests() == 2

    assert sorted(email.to[0] for email in mail.outbox) == sorted([amy.email, asha.email])
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert send_all_digests() == 0
    assert len(mail.outbox) == 2


def test_reading_a_notification_does_not_keep_it_out_of_the_digest(
    amy: User, waiting_notifications: None
) -> None:
    Notification.objects.filter(recipient=amy).update(read_at=timezone.now())

    assert send_digest.call(amy.pk) == 3


def test_an_inactive_person_gets_no_notification_and_no_email(
    amy: User, asha: User, amy_portfolio: Portfolio
) -> None:
    amy.is_active = False
    amy.save(update_fields=["is_active"])
    [mapping] = submit(add_evidence(amy_portfolio), criterion("RS-PDR", "1.1"))
    accept(asha, mapping)

    send_all_digests()

    assert not Notification.objects.filter(recipient=amy).exists()
    assert [email.to for email in mail.outbox] == [[asha.email]]


def test_someone_deactivated_before_the_digest_gets_no_email(
    amy: User, waiting_notifications: None
) -> None:
    amy.is_active = False
    amy.save(update_fields=["is_active"])

    send_all_digests()

    assert amy.email not in [address for email in mail.outbox for address in email.to]


def test_the_management_command_sends_the_digests_and_prints_the_count(
    amy: User, asha: User, waiting_notifications: None
) -> None:
    out = io.StringIO()

    call_command("send_notification_digests", stdout=out)

    assert out.getvalue() == "Sent 2 digest emails.\n"
    assert len(mail.outbox) == 2
    again = io.StringIO()
    call_command("send_notification_digests", stdout=again)
    assert again.getvalue() == "Sent 0 digest emails.\n"


def test_the_management_command_counts_one_email_in_the_singular(amy: User) -> None:
    notify(recipient=amy, message="Just this.", link="/")
    out = io.StringIO()

    call_command("send_notification_digests", stdout=out)

    assert out.getvalue() == "Sent 1 digest email.\n"


def test_a_mapping_resubmitted_after_a_referral_notifies_the_assessor_again(
    amy: User, asha: User, amy_portfolio: Portfolio
) -> None:
    [mapping] = submit(add_evidence(amy_portfolio), criterion("RS-PDR", "1.1"))
    refer(asha, mapping, "Say more.")

    learner_services.mapping_submit(actor=amy, mapping=Mapping.objects.get(pk=mapping.pk))

    assert list(
        Notification.objects.filter(recipient=asha).order_by("pk").values_list("message", flat=True)
    ) == [
        "Amy Archer submitted RS-PDR 1.1 from E1 “Customer feedback board” for assessment.",
        "Amy Archer submitted RS-PDR 1.1 from E1 “Customer feedback board” for assessment.",
    ]
