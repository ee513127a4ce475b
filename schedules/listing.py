"""The schedules table's filters, search, sort and pages: one definition for every
reader.

The pages' table and CSV (`pages/tables.py`) and the API's schedule list read
the same parameters through `ScheduleFilterForm` and narrow and order the rows
with `filter_schedules` and `sort_schedules`, so a filter means the same
wherever it is used. `SORTS` maps each `?sort=` key to the field it orders
on; the table's columns name these keys.

Lists page by keyset, the pages' tables as the API's lists: a page ends with a
cursor naming its last row by its sort value and id, and the next page is the
rows after that pair in the list's order (`Order`, `cursor_of`, `after`).
Nothing is skipped by offset, so the thousandth page costs what the first
does (one index range where an index matches the sort), and a sync that
inserts or deletes rows between two requests neither repeats nor drops a row
that stays.
"""

import base64
import binascii
import json
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Field, Model, Q, QuerySet
from django.db.models.functions import Coalesce

from schedules.models import Schedule, TaskKind, TriggerKind
from schedules.search import search
from schedules.widgets import ManyOptionsSelect
from workspaces import access
from workspaces.access import User

DEFAULT_SORT = "name"
YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]
# ?sort= key -> the field it orders on.
SORTS = {
    "name": "name",
    "workspace": "workspace__name",
    "task": "task_kind",
    "target": "target_name",
    "schedule": "description",
    "next": "next_run_at",
    "last": "last_execution_at",
    "owner": "owner_name",
    "owner_disabled": "owner_disabled",
    "enabled": "enabled",
    "updated": "aac_updated_at",
}


def workspace_choices(user: User) -> list[tuple[int, str]]:
    """The (id, name) of the workspaces a table's workspace filter offers."""
    return list(access.visible_workspaces(user).values_list("pk", "name"))


def sort_choices(sorts) -> list[tuple[str, str]]:
    """Every key of `sorts`, ascending and descending ("-key")."""
    return [(p + key, p + key) for key in sorts for p in ("", "-")]


class ScheduleFilterForm(forms.Form):
    """Validates the query string; an invalid value is ignored, never a 500."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    workspace = forms.TypedChoiceField(
        label="Workspace", required=False, coerce=int, widget=ManyOptionsSelect
    )
    owner = forms.CharField(label="Owner e-mail", required=False, max_length=255)
    task = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Any"), *TaskKind.choices]
    )
    trigger = forms.ChoiceField(
        label="Trigger", required=False, choices=[("", "Any"), *TriggerKind.choices]
    )
    enabled = forms.ChoiceField(label="Enabled", required=False, choices=YES_NO)
    owner_disabled = forms.ChoiceField(
        label="Owner disabled", required=False, choices=YES_NO
    )
    sort = forms.ChoiceField(
        required=False, choices=sort_choices(SORTS), widget=forms.HiddenInput
    )

    def __init__(self, data, *, workspaces: list[tuple[int, str]] | None):
        """`workspaces`: the visible (id, name) pairs; None hides the filter."""
        super().__init__(data)
        if workspaces is None:
            del self.fields["workspace"]
        else:
            self.fields["workspace"].choices = [("", "All"), *workspaces]

    def params(self) -> dict:
        """The valid, non-empty parameters."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


def filter_schedules(schedules: QuerySet[Schedule], params: dict) -> QuerySet:
    if q := params.get("q"):
        schedules = search(schedules, q)
    if "workspace" in params:
        schedules = schedules.filter(workspace_id=params["workspace"])
    if "owner" in params:
        schedules = schedules.filter(owner_email=params["owner"])
    if "task" in params:
        schedules = schedules.filter(task_kind=params["task"])
    if "trigger" in params:
        schedules = schedules.filter(trigger_kind=params["trigger"])
    if "enabled" in params:
        schedules = schedules.filter(enabled=params["enabled"] == "yes")
    if "owner_disabled" in params:
        schedules = schedules.filter(owner_disabled=params["owner_disabled"] == "yes")
    return schedules


def order_by_sort(
    rows: QuerySet, field: str, *, descending: bool, by_index: bool = True
) -> QuerySet:
    """Empty values count as the largest (last going up, first going down), as
    PostgreSQL orders them, so a (column, id) index serves both directions; the
    id makes pages stable.

    `by_index=False` orders by the same values through an expression no index
    holds, so the database sorts the rows its filters found instead of walking
    the sort's index until enough of them pass: for a search, whose few
    matches may all lie at the far end of that index (ten seconds at a
    million schedules), the trigram index's matches, sorted.
    """
    expression = F(field) if by_index else Coalesce(F(field), F(field))
    if descending:
        return rows.order_by(expression.desc(nulls_first=True), "-id")
    return rows.order_by(expression.asc(nulls_last=True), "id")


def sort_schedules(schedules: QuerySet[Schedule], sort: str) -> QuerySet:
    field = SORTS[sort.lstrip("-")]
    return order_by_sort(schedules, field, descending=sort.startswith("-"))


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


def in_order(rows: QuerySet, order: Order, *, by_index: bool = True) -> QuerySet:
    """`rows` in `order`, each with its `sort_value` for `cursor_of`
    (`by_index`: `order_by_sort`'s)."""
    return order_by_sort(
        rows.annotate(sort_value=F(order.field)),
        order.field,
        descending=order.descending,
        by_index=by_index,
    )


def cursor_of(value, pk: int) -> str:
    """The cursor of the row whose sort value is `value`: that value as JSON
    holds it (`after` reads it back with the field's `to_python`), and its
    id, opaque to whoever reads it (base64 of JSON)."""
    if value is not None and not isinstance(value, bool | int | str):
        value = value.isoformat()
    raw = json.dumps([value, pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def after(model: type[Model], order: Order, cursor: str) -> Q:
    """The rows after the cursor's (value, id) in `order`, with bounds an index
    range uses. ValueError when `cursor` is not one of this order's."""
    value, pk = _decoded(model, order, cursor)
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


def _decoded(model: type[Model], order: Order, cursor: str) -> tuple:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
        if value is not None:
            value = _field(model, order.field).to_python(value)
        if not isinstance(pk, int) or isinstance(pk, bool):
            raise ValueError(pk)
    except (binascii.Error, ValueError, TypeError, ValidationError):
        raise ValueError(f"not a cursor of this list: {cursor!r}") from None
    return value, pk


def _field(model: type[Model], path: str) -> Field:
    """The model field at the end of a path such as "workspace__name"."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.get_field(name)
