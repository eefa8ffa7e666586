"""One page of a list that grows with the centre, and links to the others that keep the
list's search and filters, so no page sends every row and any page can be bookmarked.

Every paginated list goes through `paginate` and renders `templates/_pagination.html`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.params import id_or_none

PER_PAGE = 50
PAGE = "page"


@dataclass(frozen=True)
class PageLink:
    """One item of the page links: a page number with its address, or a gap (no address)."""

    number: int | None
    href: str | None
    current: bool = False


@dataclass
class Listing:
    """A page of rows, what to call its page links, and the filters every link carries."""

    page: Page
    label: str
    parameter: str = PAGE
    kept: dict[str, str] = field(default_factory=dict)

    def __iter__(self) -> Any:
        return iter(self.page.object_list)

    def __len__(self) -> int:
        return len(self.page.object_list)

    @property
    def count(self) -> int:
        return self.page.paginator.count

    @property
    def number_kept(self) -> str:
        """This listing's page number as another listing on the same page keeps it."""
        return "" if self.page.number == 1 else str(self.page.number)

    def href(self, number: int) -> str:
        query = {key: value for key, value in self.kept.items() if value}
        if number > 1:
            query[self.parameter] = str(number)
        return f"?{urlencode(query)}" if query else "?"

    @property
    def links(self) -> list[PageLink]:
        paginator = self.page.paginator
        return [
            PageLink(None, None)
            if number == paginator.ELLIPSIS
            else PageLink(number, self.href(number), number == self.page.number)
            for number in paginator.get_elided_page_range(
                self.page.number, on_each_side=1, on_ends=1
            )
        ]

    @property
    def previous_href(self) -> str | None:
        return self.href(self.page.previous_page_number()) if self.page.has_previous() else None

    @property
    def next_href(self) -> str | None:
        return self.href(self.page.next_page_number()) if self.page.has_next() else None


def paginate(
    request: HttpRequest,
    rows: QuerySet | Sequence[Any],
    *,
    label: str,
    kept: Mapping[str, str] | None = None,
    parameter: str = PAGE,
    per_page: int = PER_PAGE,
    complete: Callable[[list[Any]], list[Any]] | None = None,
) -> Listing:
    """The page of `rows` the query string asks for (`parameter`), first page otherwise.

    A page number that is not one, or past the last page, gives the first page and a message
    saying so. `kept` holds the list's cleaned filters, which every page link carries (the
    raw query string never is). `complete` adds to the page's rows whatever the page shows
    about them (progress, counts), so that work grows with the page, never with the list.
    """
    paginator = Paginator(rows, per_page)
    asked = request.GET.get(parameter, "")
    number = id_or_none(asked) if asked else 1
    if number is None or number > paginator.num_pages:
        messages.info(
            request,
            "That page of the list does not exist, so this is the first page.",
            fail_silently=True,
        )
        number = 1
    page = paginator.page(number)
    page.object_list = list(page.object_list)
    if complete is not None and page.object_list:
        page.object_list = complete(page.object_list)
    return Listing(page=page, label=label, parameter=parameter, kept=dict(kept or {}))
