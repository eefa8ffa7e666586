"""Hostile values in every query parameter and form field of every page in the URL × role
table must never give a server error.

Each row of tests/test_access.py's table is visited by one person who can reach the page. The
parameters sent are the ones listed below for the row's URL (what its view reads from the
query string or the body), every field of every form the page renders and, for a view that
only takes a POST, every field of the form on another page that posts to it; each hostile
value goes into all of them at once and into each listed one alone, as GET and as POST.
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
    "accounts:people_list": ["q", "role", "page"],
    "portfolio:portfolio_list": ["q", "qualification", "page"],
    "accounts:notification_list": ["page"],
    "accounts:notifications_read": ["id"],
    "accounts:credential_list": [
        "title",
        "awarding_body",
        "achieved_on",
        "certificate_number",
        "expires_on",
    ],
    "portfolio:mapping_pick": ["q"],
    "portfolio:mapping_commentary": ["criteria", "action"],
    "portfolio:evidence_library": ["page", "q", "type", "unit", "status"],
    "portfolio:file_download": ["download"],
    "assessment:portfolio_detail": ["unit"],
    "assessment:portfolio_units": ["action", "unit"],
    "assessment:portfolio_timeline": ["format", "page"],
    "assessment:caseload": ["q", "page", "learners"],
    "assessment:unit_sign_off": ["confirm"],
    "assessment:unit_countersign": ["confirm"],
    "assessment:portfolio_countersign": ["confirm"],
    "assessment:record_acknowledge": ["confirm"],
    "assessment:progress_review": ["confirm"],
    "assessment:iqa_rates": ["default"],
    "assessment:iqa_sampling": ["q", "page"],
    "enrolment:learner_list": ["cohort", "q", "page"],
    "enrolment:cohort_list": ["q", "page"],
    "enrolment:intake_preview": ["digest"],
    "enrolment:portfolio_version": ["target"],
    "enrolment:portfolio_apprenticeship": [
        "is_apprenticeship",
        "planned_hours",
        "employer",
        "new_employer_name",
        "new_employer_email",
    ],
    "portfolio:hours_list": ["date", "hours", "activity", "evidence"],
    "portfolio:evidence_messages": ["body", "back"],
    "portfolio:portfolio_messages": ["body"],
    "portfolio:hours_edit": ["date", "hours", "activity", "evidence"],
    "portfolio:hours_query": ["reason"],
    "portfolio:employer_statement": [
        "job_title",
        "relationship",
        "observed",
        "observed_on",
        "activities",
        "signed_name",
        "declared",
    ],
    "exports:verify": ["code"],
    "dashboards:cohort_index": ["q", "page"],
    "dashboards:cohort_dashboard": ["rag", "assessor", "q", "sort", "format"],
    "dashboards:cohort_heatmap": ["format"],
    # The catalogue's version pages read nothing from the query string or the body.
    "qualifications:qualification_version": [],
    "qualifications:unit_version": [],
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


# Views that only take a POST, and the page whose form posts to them.
FORM_PAGES: dict[str, tuple[str, str | None]] = {
    "assessment:iqa_rates": ("assessment:iqa_sampling", None),
    "portfolio:file_upload": ("portfolio:evidence_detail", "evidence"),
    "portfolio:evidence_submit": ("portfolio:evidence_detail", "evidence"),
    "portfolio:mapping_submit": ("portfolio:evidence_detail", "evidence"),
    "portfolio:mapping_withdraw": ("portfolio:evidence_detail", "evidence"),
    "portfolio:mapping_delete": ("portfolio:evidence_detail", "evidence"),
    "portfolio:file_delete": ("portfolio:evidence_detail", "evidence"),
    "exports:export_retry": ("exports:export_detail", "export"),
    "portfolio:witness_request_revoke": ("portfolio:witness_request_list", "portfolio"),
    "portfolio:hours_confirm": ("portfolio:hours_list", "portfolio"),
    "assessment:plan_item_remove": ("assessment:plan_item_edit", "plan_item"),
    "portfolio:witness_request_resend": ("portfolio:witness_request_list", "portfolio"),
}


class _FormFields(HTMLParser):
    """The names of the inputs, selects and text areas on a page, by the action of their form
    (the page's own address for a form without one)."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.action = page
        self.by_action: dict[str, set[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.action = attributes.get("action") or self.page
        name = attributes.get("name")
        if tag in {"input", "select", "textarea"} and name and name != "csrfmiddlewaretoken":
            self.by_action.setdefault(self.action, set()).add(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.action = self.page


def _visitor(row: Row) -> str | None:
    """The first person who reaches the page (a 200), else the first who is not refused;
    someone signed in before the anonymous visitor, who is mostly sent to sign in."""
    people = [role for role in VISIT_ORDER if role != "anonymous"] + ["anonymous"]
    for wanted in (lambda status: status == 200, lambda status: status < 403):
        for role in people:
            if wanted(row.expected[role]):
                return role
    return None


def _client(people: dict[str, Any], role: str) -> Client:
    client = Client(raise_request_exception=False)
    if people[role] is not None:
        client.force_login(people[role])
    return client


def _form_fields(client: Client, page: str, posting_to: str | None = None) -> set[str]:
    """Fields of the forms on `page`: all of them, or those of forms posting to `posting_to`."""
    response = client.get(page)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return set()
    parser = _FormFields(page)
    parser.feed(response.content.decode())
    if posting_to is None:
        return set().union(*parser.by_action.values())
    return parser.by_action.get(posting_to, set())


def _fields_posting_to(client: Client, people: dict[str, Any], row: Row, url: str) -> set[str]:
    if row.name not in FORM_PAGES:
        return set()
    page, key = FORM_PAGES[row.name]
    return _form_fields(client, reverse(page, args=[people[key].pk] if key else []), url)


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
    every = sorted(
        set(listed) | _form_fields(client, url) | _fields_posting_to(client, cast, row, url)
    )
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


def test_the_fields_sent_are_found_on_the_pages(cast: dict[str, Any]) -> None:
    """The fuzz sends what the forms hold, so finding no fields would make it send nothing."""
    learner, iqa = _client(cast, "learner"), _client(cast, "iqa")
    evidence_create = reverse("portfolio:evidence_create", args=[cast["portfolio"].pk])
    [iqa_rates] = [row for row in TABLE if row.name == "assessment:iqa_rates"]

    assert {"title", "description"} <= _form_fields(learner, evidence_create)
    assert "default" in _fields_posting_to(iqa, cast, iqa_rates, reverse("assessment:iqa_rates"))


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
