"""Every email the site sends: a plain-text and an HTML part, each from its own template, with
links built from `SITE_URL`; and, for development, a console that prints mail as it reads.

`mail_message(template="enrolment/invitation_email", ...)` renders `<template>.txt` and
`<template>.html` with `site_url` in the context, so a link is `{{ site_url }}{% url ... %}`
in both and points wherever the site is served (`make run` sets it from `HOST` and `PORT`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.message import Message
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.template.loader import render_to_string


def site_url(path: str = "") -> str:
    """An absolute address on this site: `SITE_URL` without its trailing slash, then `path`."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def mail_message(
    *, template: str, subject: str, to: Sequence[str], context: Mapping[str, Any]
) -> EmailMultiAlternatives:
    """One email in plain text with an HTML alternative, from `<template>.txt` and `.html`."""
    context = {"site_url": site_url(), "subject": subject, **context}
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"{template}.txt", context),
        to=list(to),
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


class ReadableConsoleBackend(ConsoleBackend):
    """Development mail on the console as people read it: the headers that matter and the
    plain-text part decoded (never quoted-printable), so every link can be clicked as shown."""

    def write_message(self, message: EmailMessage) -> None:
        sent = message.message()
        lines = [f"{header}: {sent[header]}" for header in _SHOWN_HEADERS if sent[header]]
        parts = [part.get_content_type() for part in sent.walk() if not part.is_multipart()]
        lines.append(f"Parts: {', '.join(parts)}")
        lines += ["", _plain_text(sent).rstrip("\n"), "-" * 79, ""]
        self.stream.write("\n".join(lines))


_SHOWN_HEADERS = ("From", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date")


def _plain_text(sent: Message) -> str:
    """The first text/plain part, decoded from its transfer encoding and charset."""
    for part in sent.walk():
        if part.get_content_type() == "text/plain" and not part.is_attachment():
            return part.get_content()
    return "(no plain-text part)"
