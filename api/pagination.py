"""Pages of a list by keyset: stable while syncs add and remove rows.

A page ends with a cursor naming its last row by its sort value and id; the
next page is the rows after that pair in the list's order (empty values last
going up, first going down, the id breaking ties, as `schedules.listing`
orders). Nothing is counted and nothing is skipped by offset, so a sync that
inserts or deletes rows between two requests neither repeats nor drops a row
that stays, and the thousandth page costs what the first does: one index
range where an index matches the sort. The cursor is opaque to clients
(base64 of JSON); a malformed one is a 400.
"""

import base64
import binascii
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import F, Field, Model, Q, QuerySet
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as InvalidParameter
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

from schedules.listing import order_by_sort

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


@dataclass(frozen=True)
class Order:
    """A list's order: the field it sorts on (a path such as "workspace__name"),
    and its direction."""

    field: str
    descending: bool = False

    @classmethod
    def of(cls, sort: str, sorts: dict[str, str]) -> "Order":
        """From a `?sort=` value ("name", "-next") and its keys' fields."""
        return cls(sorts[sort.lstrip("-")], descending=sort.startswith("-"))


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
    rows = order_by_sort(
        rows.annotate(sort_value=F(order.field)),
        order.field,
        descending=order.descending,
    )
    if cursor := query.validated_data.get("cursor"):
        rows = rows.filter(_after(rows.model, order, cursor))
    found = list(rows[: limit + 1])
    more, found = len(found) > limit, found[:limit]
    return KeysetPage(found, _cursor_of(found[-1], order) if more else None)


def _cursor_of(row: Model, order: Order) -> str:
    """The row's sort value as JSON holds it (`_decode`'s `to_python` reads it
    back), and its id."""
    value = row.sort_value
    if value is not None and not isinstance(value, bool | int | str):
        value = value.isoformat()
    raw = json.dumps([value, row.pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(model: type[Model], order: Order, cursor: str) -> tuple:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
        if value is not None:
            value = _field(model, order.field).to_python(value)
        if not isinstance(pk, int) or isinstance(pk, bool):
            raise ValueError(pk)
    except (binascii.Error, ValueError, TypeError, ValidationError):
        raise InvalidParameter(
            {"cursor": ["Not a cursor of this list: start again without it."]}
        ) from None
    return value, pk


def _after(model: type[Model], order: Order, cursor: str) -> Q:
    """The rows after (value, pk) in the order, with bounds an index range uses."""
    value, pk = _decode(model, order, cursor)
    name = order.field
    nullable = _field(model, name).null
    if order.descending:
        # Empty values came first, then the largest.
        if value is None:
            return Q(**{f"{name}__isnull": True, "pk__lt": pk}) | Q(
                **{f"{name}__isnull": False}
            )
        return Q(**{f"{name}__lte": value}) & (
            Q(**{f"{name}__lt": value}) | Q(pk__lt=pk)
        )
    if value is None:
        return Q(**{f"{name}__isnull": True, "pk__gt": pk})
    following = Q(**{f"{name}__gte": value}) & (
        Q(**{f"{name}__gt": value}) | Q(pk__gt=pk)
    )
    return following | Q(**{f"{name}__isnull": True}) if nullable else following


def _field(model: type[Model], path: str) -> Field:
    """The model field at the end of a path such as "workspace__name"."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.get_field(name)
