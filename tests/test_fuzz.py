"""Hostile values in every query parameter and form field of every page in the URL × role
table must never give a server error.

Each row of tests/test_access.py's table is visited by one person who can reach the page. The
parameters sent are the ones listed below for the row's URL (what its view reads from the
query string or the body) and every field of every form the page renders; each hostile value
goes into all of them at once and into each listed one alone, as GET and as POST.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests import test_access
from tests.test_access import TABLE, VISIT_ORDER, Row

# The same people and objects as the URL × role table, as a fixture of this module too.
cast = test_access.cast

HOSTILE = [
    str(2**63),
    str(2**64),
    "-1",
    "²",
    "٣",
    "",
    "\x00",
    "A" * 10_000,
    "\u202e",
    "' OR 1=1",
    "1e309",
]

# What each view reads from the request by name, outside the forms its page renders.
PARAMETERS: dict[str, list[str]] = {
    "accounts:people_list": ["q", "role"],
    "accounts:notification_list": ["page"],
    "accounts:notifications_read": ["id"],
    "portfolio:mapping_pick": ["q"],
    "portfolio:mapping_commentary": ["criteria", "action"],
    "portfolio:evidence_library": ["page", "q", "type", "unit", "status"],
    "portfolio:file_download": ["download"],
    "assessment:portfolio_detail": ["unit"],
    "assessment:portfolio_timeline": ["format"],
    "assessment:caseload": ["page"],
    "assessment:unit_sign_off": ["confirm"],
    "assessment:iqa_rates": ["default"],
    "enrolment:learner_list": ["cohort", "page"],
    "enrolment:intake_preview": ["digest"],
    "exports:verify": ["code"],
    "dashboards:cohort_dashboard": ["rag", "assessor", "q", "sort", "format"],
    "dashboards:cohort_heatmap": ["format"],
}

APPS = [
    "accounts",
    "qualifications",
    "portfolio",
    "assessment",
    "enrolment",
    "exports",
    "dashboards",
]
READ_BY_NAME = re.compile(r"""request\.(?:GET|POST)(?:\.get|\.getlist)?[(\[]\s*["']([a-z_]+)["']""")


class _FormFields(HTMLParser):
    """Collects the names of the inputs, selects and text areas on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = dict(attrs).get("name")
        if tag in {"input", "select", "textarea"} and name and name != "csrfmiddlewaretoken":
            self.names.add(name)


def _visitor(row: Row) -> str | None:
    """The first person who reaches the page (a 200), else the first who is not refused;
    someone signed in before the anonymous visitor, who is mostly sent to sign in."""
    people = [role for role in VISIT_ORDER if role != "anonymous"] + ["anonymous"]
    for wanted in (lambda status: status == 200, lambda status: status < 403):
        for role in people:
            if wanted(row.expected[role]):
                return role
    return None


def _client(cast: dict[str, Any], role: str) -> Client:
    client = Client(raise_request_exception=False)
    if cast[role] is not None:
        client.force_login(cast[role])
    return client


def _form_fields(client: Client, url: str) -> set[str]:
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return set()
    parser = _FormFields()
    parser.feed(response.content.decode())
    return parser.names


REACHABLE = [row for row in TABLE if _visitor(row) is not None]


@pytest.mark.parametrize(
    "row", REACHABLE, ids=lambda row: f"{row.name}[{row.label}]".replace("[]", "")
)
def test_hostile_parameters_never_give_a_server_error(cast: dict[str, Any], row: Row) -> None:
    role = _visitor(row)
    assert role is not None
    client = _client(cast, role)
    url = reverse(row.name, args=row.args(cast))
    listed = PARAMETERS.get(row.name, [])
    every = sorted(set(listed) | _form_fields(client, url))
    failures = []
    for value in HOSTILE:
        for names in [every, *([name] for name in listed if [name] != every)]:
            if not names:
                continue
            sent = dict.fromkeys(names, value)
            for method in ("get", "post"):
                status = getattr(client, method)(url, sent).status_code
                if status >= 500:
                    failures.append(f"{role}: {method.upper()} {url} {names}={value[:20]!r}")
    assert failures == [], "\n".join(failures)


def _view_sources() -> list[Path]:
    root = Path(__file__).resolve().parent.parent
    return [
        source
        for app in APPS
        for source in [root / app / "views.py", *sorted((root / app / "views").glob("*.py"))]
        if source.exists()
    ]


def test_every_parameter_a_view_reads_by_name_is_listed() -> None:
    """A view that starts reading a new parameter must have it fuzzed too."""
    listed = {name for names in PARAMETERS.values() for name in names}
    read = {name for source in _view_sources() for name in READ_BY_NAME.findall(source.read_text())}
    assert read, "the pattern no longer finds how views read parameters"
    assert read - listed == set()
