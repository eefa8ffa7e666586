"""Telling people what happened: an in-app list, and one email digest instead of a mail per click.

`notify` is called from the services inside their transaction. After commit it asks the task
worker to send the recipient a digest a few minutes later; whatever else arrives for them in
the meantime goes into the same email. Without a worker that can defer tasks (tests, or the
immediate backend), `manage.py send_notification_digests` sends what is waiting.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.tasks import default_task_backend, task
from django.utils import timezone

from accounts.mail import mail_message
from accounts.models import Notification, User


def notify(*, recipient: User | None, message: str, link: str) -> Notification | None:
    if recipient is None or not recipient.is_active:
        return None
    notification = Notification.objects.create(
        recipient=recipient, message=message[:300], link=link[:300]
    )
    if default_task_backend.supports_defer:
        run_after = timezone.now() + datetime.timedelta(
            minutes=settings.NOTIFICATION_DIGEST_MINUTES
        )
        transaction.on_commit(lambda: send_digest.using(run_after=run_after).enqueue(recipient.pk))
    return notification


@task
def send_digest(recipient_id: int) -> int:
    """Email everything not yet mailed to this person, in one message; returns how many."""
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(of=("self",))
            .filter(recipient_id=recipient_id, recipient__is_active=True, emailed_at__isnull=True)
            .select_related("recipient")
            .order_by("created_at", "pk")
        )
        if not pending:
            return 0
        recipient = pending[0].recipient
        mail_message(
            template="accounts/notification_digest",
            subject=(
                f"{len(pending)} update{'s' if len(pending) != 1 else ''} "
                "in your evidence portfolio"
            ),
            to=[recipient.email],
            context={"recipient": recipient, "notifications": pending},
        ).send()
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(
            emailed_at=timezone.now()
        )
    return len(pending)


def send_all_digests() -> int:
    """Send a digest to everyone with something waiting; returns how many emails were sent."""
    recipients = (
        Notification.objects.filter(emailed_at__isnull=True)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    return sum(1 for recipient_id in list(recipients) if send_digest.call(recipient_id))


def mark_read(*, actor: User, notification_ids: list[int] | None = None) -> int:
    """Mark the person's own notifications read (all of them when no ids are given)."""
    unread = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
