"""Every URL of the site × every role × own/foreign object, with the status each must get.

A URL added to the site without a row here fails test_every_url_has_a_row_in_the_table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from tests.factories import UserFactory

ROLES = ["anonymous", "learner", "assessor", "tutor", "iqa", "centre_admin", "operator"]
SIGNED_IN = ROLES[1:]
CENTRE_STAFF = ["iqa", "centre_admin"]


@dataclass(frozen=True)
class Row:
    name: str
    expected: dict[str, int]
    args: Callable[[dict[str, Any]], list[Any]] = field(default=lambda cast: [])
    method: str = "get"
    label: str = ""


def statuses(default: int, **overrides: int) -> dict[str, int]:
    return {role: overrides.get(role, default) for role in ROLES}


SIGNED_IN_ONLY = statuses(200, anonymous=302)
PUBLIC = statuses(200)

TABLE = [
    Row("accounts:home", SIGNED_IN_ONLY),
    Row("accounts:login", statuses(302, anonymous=200)),
    Row("accounts:logout", statuses(302), method="post"),
    Row("accounts:password_change", SIGNED_IN_ONLY),
    Row("accounts:password_change_done", SIGNED_IN_ONLY),
    Row("accounts:password_reset", PUBLIC),
    Row("accounts:password_reset_done", PUBLIC),
    Row(
        "accounts:password_reset_confirm",
        PUBLIC,
        args=lambda cast: ["MQ", "not-a-valid-token"],
        label="expired link",
    ),
    Row("accounts:password_reset_complete", PUBLIC),
    Row("accounts:people_list", statuses(403, anonymous=302, iqa=200, centre_admin=200)),
    Row(
        "accounts:person_detail",
        statuses(403, anonymous=302, iqa=200, centre_admin=200),
        args=lambda cast: [cast["own_person"].pk],
        label="own centre",
    ),
    Row(
        "accounts:person_detail",
        statuses(403, anonymous=302, iqa=404, centre_admin=404),
        args=lambda cast: [cast["foreign_person"].pk],
        label="other centre",
    ),
    Row("qualifications:qualification_list", SIGNED_IN_ONLY),
    Row(
        "qualifications:qualification_detail",
        SIGNED_IN_ONLY,
        args=lambda cast: ["OCR-L3-RSSP-CERT"],
    ),
    Row(
        "qualifications:qualification_detail",
        statuses(404, anonymous=302),
        args=lambda cast: ["NO-SUCH-QUALIFICATION"],
        label="unknown",
    ),
    Row("qualifications:unit_detail", SIGNED_IN_ONLY, args=lambda cast: ["RS-ICR"]),
    Row(
        "qualifications:unit_detail",
        statuses(404, anonymous=302),
        args=lambda cast: ["NO-SUCH-UNIT"],
        label="unknown",
    ),
    Row("admin:index", statuses(302, operator=200)),
]


@pytest.fixture
def cast(
    catalogue: None, amy: User, asha: User, tom: User, iris: User, ada: User, oscar: User
) -> dict[str, Any]:
    operator = UserFactory(
        email="operator@example.org", centre=None, is_staff=True, is_superuser=True
    )
    return {
        "anonymous": None,
        "learner": amy,
        "assessor": asha,
        "tutor": tom,
        "iqa": iris,
        "centre_admin": ada,
        "operator": operator,
        "own_person": amy,
        "foreign_person": oscar,
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", TABLE, ids=lambda row: f"{row.name}[{row.label}]".replace("[]", ""))
def test_status_for_each_url_and_role(
    client: Client, cast: dict[str, Any], row: Row, role: str
) -> None:
    if cast[role] is not None:
        client.force_login(cast[role])
    url = reverse(row.name, args=row.args(cast))
    response = getattr(client, row.method)(url)
    assert response.status_code == row.expected[role], f"{role} {row.method.upper()} {url}"


def _named_urls(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_has_a_row_in_the_table() -> None:
    site_urls = {name for name in _named_urls(get_resolver()) if not name.startswith("admin:")}
    covered = {row.name for row in TABLE}
    assert site_urls - covered == set(), "add a row to TABLE for each new URL"
