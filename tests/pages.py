"""Reading pages through the test client: the text a reader sees, the flashed messages, a CSV
download's rows, and how many queries a page ran."""

from __future__ import annotations

import csv
import html
import io

from django.contrib.messages import get_messages
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext


def text_of(response: HttpResponse) -> str:
    """The page as a reader sees it: entities decoded."""
    return html.unescape(response.content.decode())


def messages_of(response: HttpResponse) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def csv_rows(response: HttpResponse) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def queries_for(client: Client, url: str) -> int:
    """How many queries a GET of the page runs; it must succeed."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)
