"""Which rows of the activity log a user may see, and the log's filters.

Here, beside `workspaces.access`, because the log sits below every app and
knows nothing of access: a user sees the rows of the workspaces they may see
and their own rows that name no workspace (their logins); a superuser sees
every row, those of deleted workspaces and users included. The /activity/
page, its CSV and the API read the log through these.
"""

from datetime import datetime, time

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from activity.models import Action, Entry
from workspaces import access


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
    workspace = forms.TypedChoiceField(label="Workspace", required=False, coerce=int)
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
