"""People: the workspace's members (docs/aac-api.md, People)."""

from collections.abc import Iterator

from aac.paging import Page, iter_pages, list_params, page_limit
from aac.transport import Transport

_PERSON = {"id": int}


class PeopleCalls(Transport):
    def iter_people_pages(
        self, *, page_size: int | None = None, include_count: bool = False
    ) -> Iterator[Page]:
        """`GET /v4/people`: every person in the workspace, a page at a time."""
        return iter_pages(
            self._get,
            "/v4/people",
            params=list_params(include_count=include_count),
            limit=page_limit(page_size, self.list_page_size),
            item=_PERSON,
        )
