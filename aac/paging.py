"""Paging through AAC's lists, a page at a time.

AAC pages by `limit` and `offset`, no cursor; the last page is the one shorter
than `limit`; `includeCount=true` adds the total as `count`; the envelope is
`{"data": [...]}` (docs/aac-api.md, Conventions of the v4 API). Pages are
fetched only as the caller asks for them, so a sync can spool one page while
the next is not yet requested. A service that quietly caps `limit` would end
a list early; with the total asked for, that short page is refused.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from aac.parse import JSONTypes, count, fields
from aac.transport import MAX_PAGE_SIZE, Answer

Getter = Callable[..., Answer]


class Page(list):
    """One page of raw item dicts, as a list, with where it starts in the list
    and AAC's total (`count`) when the answer carried one."""

    def __init__(self, items: Iterable[dict], *, offset: int, total: int | None):
        super().__init__(items)
        self.offset = offset
        self.total = total

    def __repr__(self) -> str:
        return f"Page(offset={self.offset}, total={self.total}, items={len(self)})"


def page_limit(page_size: int | None, default: int) -> int:
    """The `limit` to send: the caller's page size or the client's, 1-1000."""
    limit = page_size or default
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"page size must be 1-{MAX_PAGE_SIZE}, not {limit}")
    return limit


# docs/aac-api.md, Plans flows workflows and their runs: without a filter the
# plan and flow lists hold only the token user's own objects.
OWNERSHIP_FILTERS = ("all", "shared", "owned")


def ownership_filter(ownership: str) -> str:
    """The `ownershipFilter` to send, checked before anything is sent."""
    if ownership not in OWNERSHIP_FILTERS:
        raise ValueError(f"ownership must be one of {OWNERSHIP_FILTERS}")
    return ownership


def list_params(*, include_count: bool = False, **filters: Any) -> dict[str, Any]:
    """Query parameters of a list call: the filters that are set, and the count."""
    params = {name: value for name, value in filters.items() if value is not None}
    if include_count:
        params["includeCount"] = "true"
    return params


def iter_pages(
    get: Getter,
    path: str,
    *,
    params: Mapping[str, Any],
    limit: int,
    item: JSONTypes,
    base_url: str | None = None,
) -> Iterator[Page]:
    """Every page of a list, each item checked to have the given fields.

    Stops after the short page, or once a full page reaches AAC's total, so
    a list whose length is an exact multiple of `limit` costs no empty page
    when the total is known.
    """
    offset = 0
    while True:
        answer = get(
            path, params={**params, "limit": limit, "offset": offset}, base_url=base_url
        )
        page = _page(answer, offset=offset, limit=limit, item=item)
        end = offset + len(page)
        if len(page) < limit and page.total is not None and end < page.total:
            # A service that quietly caps `limit` would look finished here.
            raise answer.invalid(
                f"{len(page)} items at offset {offset} of {page.total}: "
                f"a short page before the end (is `limit` {limit} capped?)"
            )
        yield page
        if len(page) < limit or (page.total is not None and end >= page.total):
            return
        offset += limit


def _page(answer: Answer, *, offset: int, limit: int, item: JSONTypes) -> Page:
    doc = fields(answer, answer.doc, {"data": list})
    data = doc["data"]
    if len(data) > limit:
        # Paging by offset would then skip or repeat items.
        raise answer.invalid(f"{len(data)} items in a page of {limit}")
    for index, each in enumerate(data):
        fields(answer, each, item, at=f"data[{index}].")
    total = doc.get("count")
    if total is not None:
        total = count(answer, total)
    return Page(data, offset=offset, total=total)
