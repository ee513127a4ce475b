"""The schedules table's filters, search and sort: one definition for every reader.

The pages' table and CSV (`pages/tables.py`) and the API's schedule list read
the same parameters through `ScheduleFilterForm` and narrow and order the rows
with `filter_schedules` and `sort_schedules`, so a filter means the same
wherever it is used. `SORTS` maps each `?sort=` key to the field it orders
on; the table's columns name these keys.
"""

from django import forms
from django.db.models import F, QuerySet

from schedules.models import Schedule, TaskKind, TriggerKind
from schedules.search import search
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
    workspace = forms.TypedChoiceField(label="Workspace", required=False, coerce=int)
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


def order_by_sort(rows: QuerySet, field: str, *, descending: bool) -> QuerySet:
    """Empty values count as the largest (last going up, first going down), as
    PostgreSQL orders them, so a (column, id) index serves both directions; the
    id makes pages stable."""
    expression = F(field)
    if descending:
        return rows.order_by(expression.desc(nulls_first=True), "-id")
    return rows.order_by(expression.asc(nulls_last=True), "id")


def sort_schedules(schedules: QuerySet[Schedule], sort: str) -> QuerySet:
    field = SORTS[sort.lstrip("-")]
    return order_by_sort(schedules, field, descending=sort.startswith("-"))
