"""Pages of a list by keyset: stable while syncs add and remove rows.

A page ends with a cursor naming its last row by its sort value and id; the
next page is the rows after that pair in the list's order (empty values last
going up, first going down, the id breaking ties, as `schedules.listing`
orders). Nothing is counted and nothing is skipped by offset, so a sync that
inserts or deletes rows between two requests neither repeats nor drops a row
that stays, and the thousandth page costs what the first does: one index
range where an index matches the sort. The keyset itself is
`schedules.listing`'s, which the pages' tables page by too; here, the API's
parameters and answer. The cursor is opaque to clients (base64 of JSON); a
malformed one is a 400.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as InvalidParameter
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

from schedules.listing import Order, after, cursor_of, in_order

__all__ = ["KeysetPage", "Order", "PageQuery", "paginate"]

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


class PageQuery(serializers.Serializer):
    """The paging parameters every list takes."""

    cursor = serializers.CharField(
        required=False, help_text="The `next_cursor` of the previous page."
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_LIMIT,
        default=DEFAULT_LIMIT,
        help_text=f"Rows per page, at most {MAX_LIMIT}.",
    )


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None

    def next_url(self, request: Request) -> str | None:
        if self.next_cursor is None:
            return None
        url = request.build_absolute_uri()
        return replace_query_param(url, "cursor", self.next_cursor)


def paginate(rows: QuerySet, request: Request, order: Order) -> KeysetPage:
    """The page of `rows` the request's `cursor` and `limit` ask for: one query."""
    query = PageQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    limit = query.validated_data["limit"]
    rows = in_order(rows, order)
    if cursor := query.validated_data.get("cursor"):
        try:
            rows = rows.filter(after(rows.model, order, cursor))
        except ValueError:
            raise InvalidParameter(
                {"cursor": ["Not a cursor of this list: start again without it."]}
            ) from None
    found = list(rows[: limit + 1])
    more, found = len(found) > limit, found[:limit]
    last = found[-1] if found else None
    return KeysetPage(found, cursor_of(last.sort_value, last.pk) if more else None)
