"""The activity log as the /activity/ page and its CSV show it: scope, filters, rows.

A user sees the rows of the workspaces they may see (`workspaces.access`)
and their own rows that name no workspace (their logins); a superuser sees
every row, those of deleted workspaces and users included.
"""

import csv
from collections.abc import Iterator
from datetime import datetime, time, tzinfo

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from activity.models import Action, Entry
from lib.spreadsheets import BYTE_ORDER_MARK, safe_cell
from pages.widgets import ManyOptionsSelect
from workspaces import access

CSV_COLUMNS = (
    ("Time", "at"),
    ("User", "username"),
    ("Workspace", "workspace_name"),
    ("Action", "action"),
    ("Target", "target_kind"),
    ("Target id", "target_id"),
    ("Target name", "target_name"),
    ("Outcome", "outcome"),
    ("Message", "message"),
    ("AAC request id", "aac_request_id"),
    ("AAC execution id", "aac_execution_id"),
)


def visible_entries(user) -> QuerySet[Entry]:
    entries = Entry.objects.all()
    if user.is_superuser:
        return entries
    scoped = access.scope(entries, user, workspace="workspace_id")
    return entries.filter(
        Q(pk__in=scoped.values("pk")) | Q(workspace_id=None, user_id=user.pk)
    )


class ActivityFilterForm(forms.Form):
    """Validates the query string; a bad value is ignored, never a 500."""

    user = forms.CharField(label="User", required=False, max_length=150)
    workspace = forms.TypedChoiceField(
        label="Workspace", required=False, coerce=int, widget=ManyOptionsSelect
    )
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any"), *Action.choices]
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data, *, workspaces: list[tuple[int, str]]):
        super().__init__(data)
        self.fields["workspace"].choices = [("", "All"), *workspaces]

    def params(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


def filter_entries(entries: QuerySet[Entry], params: dict) -> QuerySet[Entry]:
    """Dates are whole days in the viewer's timezone, both ends included."""
    if "user" in params:
        entries = entries.filter(username=params["user"])
    if "workspace" in params:
        entries = entries.filter(workspace_id=params["workspace"])
    if "action" in params:
        entries = entries.filter(action=params["action"])
    zone = timezone.get_current_timezone()
    if "since" in params:
        start = datetime.combine(params["since"], time.min, tzinfo=zone)
        entries = entries.filter(at__gte=start)
    if "until" in params:
        end = datetime.combine(params["until"], time.max, tzinfo=zone)
        entries = entries.filter(at__lte=end)
    return entries


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(entries: QuerySet[Entry], *, tz: tzinfo) -> Iterator[str]:
    """Every row, streamed; text cells pass the formula guard."""
    writer = csv.writer(_Echo())
    yield BYTE_ORDER_MARK + writer.writerow([label for label, _ in CSV_COLUMNS])
    for entry in entries.iterator(chunk_size=2000):
        cells = [getattr(entry, name) for _, name in CSV_COLUMNS]
        cells[0] = timezone.localtime(entry.at, tz).isoformat()
        yield writer.writerow([safe_cell(str(cell)) for cell in cells])
