"""The page comparing two versions of a qualification, and the version list that links to it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.pages import queries_for, text_of

pytestmark = pytest.mark.django_db

EXAMPLE = "EX-L3-RETAIL-DIP"
DIFF = reverse("qualifications:qualification_diff", args=[EXAMPLE, "1", "2"])


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("who", "status"), [("ada", 200), ("asha", 200), ("iris", 200), ("amy", 403), ("tom", 403)]
)
def test_administrators_assessors_and_iqas_read_the_diff(
    request: pytest.FixtureRequest, catalogue: None, who: str, status: int
) -> None:
    assert signed_in(request.getfixturevalue(who)).get(DIFF).status_code == status


@pytest.mark.parametrize(
    "args",
    [[EXAMPLE, "1", "9"], [EXAMPLE, "9", "2"], ["NO-SUCH-QUALIFICATION", "1", "2"]],
    ids=["unknown new version", "unknown old version", "unknown qualification"],
)
def test_a_version_that_does_not_exist_is_a_404(catalogue: None, asha: User, args: list) -> None:
    url = reverse("qualifications:qualification_diff", args=args)
    assert signed_in(asha).get(url).status_code == 404


def test_the_diff_marks_each_change_in_words_with_both_texts(catalogue: None, asha: User) -> None:
    page = text_of(signed_in(asha).get(DIFF))

    assert "1 unit revised, 0 added, 0 removed, 10 unchanged." in page
    assert "Operational end date: 31 August 2027 → 31 August 2029" in page
    assert "The rules of combination are the same." in page
    assert "Revised</span> Provide customer service in a retail environment" in page
    assert "2 reworded · 1 renumbered · 1 added · 1 removed" in page
    for words in (
        "Reworded (same meaning)</strong> · evidence carries across",
        "Reworded (meaning may have changed)</strong> · evidence is looked at again",
        "Renumbered 1.4 → 1.3</strong> · evidence carries across",
        "<strong>Added</strong>",
        "<strong>Removed</strong>",
        "Not in version 1.",
        "Not in version 2.",
        # The old and new words side by side.
        "Describe how customers' expectations of service are formed.",
        "Describe how customers form their expectations of a store's service.",
        "4 criteria unchanged",
    ):
        assert words in page, words


def test_comparing_backwards_reads_the_other_way(catalogue: None, ada: User) -> None:
    url = reverse("qualifications:qualification_diff", args=[EXAMPLE, "2", "1"])
    page = text_of(signed_in(ada).get(url))

    assert "What changed from version 2 to version 1" in page
    assert "Renumbered 1.3 → 1.4" in page


def test_the_diff_page_runs_a_fixed_number_of_queries(catalogue: None, ada: User) -> None:
    assert queries_for(signed_in(ada), DIFF) <= 11


def test_the_qualification_page_lists_versions_with_a_link_for_staff(
    catalogue: None, ada: User, amy: User
) -> None:
    url = reverse("qualifications:qualification_detail", args=[EXAMPLE])

    for_ada, for_amy = (text_of(signed_in(u).get(url)) for u in (ada, amy))

    assert "Version 1" in for_amy and "Version 2" in for_amy and "Current" in for_amy
    assert DIFF in for_ada and "What changed from version 1" in for_ada
    assert DIFF not in for_amy


def test_a_qualification_with_one_version_lists_no_versions(catalogue: None, ada: User) -> None:
    url = reverse("qualifications:qualification_detail", args=["OCR-L3-RSSP-CERT"])
    assert 'id="versions-heading"' not in signed_in(ada).get(url).text
