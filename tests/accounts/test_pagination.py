"""The one pager: which page a query string gets, and where its page links lead."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from accounts.pagination import PageLink, paginate

ROWS = list(range(1, 1001))  # 20 pages of 50


def page_of(query: dict[str, str], **options: object):  # type: ignore[no-untyped-def]
    return paginate(RequestFactory().get("/list/", query), ROWS, label="Pages", **options)


@pytest.mark.parametrize(
    ("asked", "shown"), [("", 1), ("1", 1), ("7", 7), ("20", 20), ("21", 1), ("0", 1), ("x", 1)]
)
def test_the_page_asked_for_or_else_the_first(asked: str, shown: int) -> None:
    listing = page_of({"page": asked} if asked else {})

    assert listing.page.number == shown
    assert listing.page.object_list[0] == (shown - 1) * 50 + 1


def test_links_elide_the_middle_and_mark_the_current_page() -> None:
    listing = page_of({"page": "7"}, kept={"q": "amy"})

    assert [link.number for link in listing.links] == [1, None, 6, 7, 8, None, 20]
    assert listing.links[3] == PageLink(7, "?q=amy&page=7", current=True)
    assert listing.links[0].href == "?q=amy"  # the first page needs no number
    assert listing.previous_href == "?q=amy&page=6"
    assert listing.next_href == "?q=amy&page=8"


def test_links_carry_only_the_kept_filters_and_leave_empty_ones_out() -> None:
    listing = page_of({"q": "<script>", "role": "x", "page": "2"}, kept={"q": "amy", "role": ""})

    assert listing.next_href == "?q=amy&page=3"
    assert listing.previous_href == "?q=amy"
    assert page_of({"page": "2"}).previous_href == "?"  # the list itself, unfiltered


def test_a_second_list_on_the_page_has_its_own_parameter() -> None:
    listing = page_of({"page": "3", "more": "2"}, parameter="more", kept={"page": "3"})

    assert listing.page.number == 2
    assert listing.next_href == "?page=3&more=3"
    assert listing.number_kept == "2"


def test_complete_sees_only_the_pages_rows() -> None:
    seen: list[list[int]] = []

    def complete(rows: list[int]) -> list[int]:
        seen.append(rows)
        return [row * 10 for row in rows]

    listing = page_of({"page": "20"}, complete=complete)

    assert seen == [list(range(951, 1001))]
    assert listing.page.object_list[0] == 9510
