"""The dashboard at many workspaces: those that need attention as cards, every
workspace a row of a compact table.

Up to CARDS_AT_MOST visible workspaces, each has its card, as before. Beyond
that, cards cost too much to build and to read: they go to the workspaces
that need attention (no working connection, the last sync failed or was
skipped, open findings of the broken kind, runs failed in the last 24 hours),
the most urgent first, at most
CARDS_AT_MOST; and every workspace is a row of a table sorted by name,
schedules or last sync, ROWS_PER_PAGE a page. What it reads of every visible
workspace is a few small columns (summaries, connection states, the latest
run's status); the rest, only for the page's rows.
"""

from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from attention.listing import open_unmuted
from attention.models import Finding, OpenCount, Severity
from schedules.models import SyncRun
from workspaces.models import Connection, Workspace

CARDS_AT_MOST = 24
ROWS_PER_PAGE = 50
# The latest sync's statuses that need a look.
SYNC_PROBLEMS = (SyncRun.Status.FAILED, SyncRun.Status.SKIPPED)
# Sort key -> the annotated column, then the name.
SORTS = {"name": "name", "schedules": "n_schedules", "synced": "synced"}


class TableForm(forms.Form):
    """The table's query string; an invalid value falls back, never a 500."""

    sort = forms.ChoiceField(
        required=False, choices=[(p + k, p + k) for k in SORTS for p in ("", "-")]
    )
    page = forms.IntegerField(required=False, min_value=1)


@dataclass(frozen=True)
class Row:
    workspace: Workspace
    url: str
    counts: dict[str, int]
    latest: SyncRun | None
    failed_runs: int
    attention: bool


@dataclass
class WorkspaceTable:
    page: Page
    sort: str
    headers: list[tuple[str, str, str]]  # (label, sort link value, aria-sort)


def _latest(field: str) -> Subquery:
    runs = SyncRun.objects.filter(workspace=OuterRef("pk")).order_by("-queued_at")
    return Subquery(runs.values(field)[:1])


def broken(
    counts: QuerySet[OpenCount], findings: QuerySet[Finding], *, now: datetime
) -> set[int]:
    """The workspaces of open, unmuted findings of the broken (critical) kind,
    from the evaluations' `counts`."""
    critical = {"severity": Severity.CRITICAL}
    found = open_unmuted(
        counts.filter(**critical),
        findings.filter(**critical),
        now=now,
        per=("workspace_id",),
    )
    return {workspace_id for (workspace_id,) in found}


def needing_attention(
    workspaces: QuerySet[Workspace],
    *,
    failed_runs: dict[int, int],
    broken: set[int],
) -> list[int]:
    """The ids of the workspaces that need a look, the most urgent first: no
    working connection, then a failed or skipped last sync, then open findings
    of the broken kind (`broken`), then failed runs."""
    working = set(
        Connection.objects.filter(workspace__in=workspaces, state=Connection.State.OK)
        .values_list("workspace_id", flat=True)
        .distinct()
    )
    rows = workspaces.annotate(status=_latest("status")).values_list(
        "pk", "name", "status"
    )
    urgent = []
    for pk, name, status in rows:
        score = 8 * (pk not in working) + 4 * (status in SYNC_PROBLEMS)
        score += 2 * (pk in broken) + bool(failed_runs.get(pk))
        if score:
            urgent.append((-score, name, pk))
    return [pk for *_, pk in sorted(urgent)]


def workspace_table(
    workspaces: QuerySet[Workspace],
    query: dict,
    *,
    counts: dict[int, dict[str, int]],
    failed_runs: dict[int, int],
    attention: set[int],
) -> WorkspaceTable:
    """One page of the visible workspaces, as `query` sorts and pages them."""
    form = TableForm(query)
    form.is_valid()
    sort = form.cleaned_data.get("sort") or "name"
    key = SORTS[sort.lstrip("-")]
    ordered = workspaces.annotate(
        n_schedules=Coalesce(F("summary__schedules"), Value(0)),
        synced=_latest("finished_at"),
        latest_id=_latest("pk"),
    )
    direction = F(key).desc(nulls_last=True) if sort[0] == "-" else F(key).asc()
    ordered = ordered.order_by(direction, "name").only("pk", "name")
    page = Paginator(ordered, ROWS_PER_PAGE).get_page(form.cleaned_data.get("page"))
    listed = list(page.object_list)
    latest = SyncRun.objects.in_bulk([ws.latest_id for ws in listed if ws.latest_id])
    url = reverse("pages:workspace", args=[0]).replace("/0/", "/{}/")
    page.object_list = [
        Row(
            workspace=ws,
            url=url.format(ws.pk),
            counts=counts.get(ws.pk, {}),
            latest=latest.get(ws.latest_id),
            failed_runs=failed_runs.get(ws.pk, 0),
            attention=ws.pk in attention,
        )
        for ws in listed
    ]
    return WorkspaceTable(page=page, sort=sort, headers=_headers(sort))


def _headers(sort: str) -> list[tuple[str, str, str]]:
    """(label, the sort its link asks for, aria-sort) of each sortable column."""
    headers = []
    for key, label in (
        ("name", "Workspace"),
        ("schedules", "Schedules"),
        ("synced", "Last sync"),
    ):
        state = ""
        if sort.lstrip("-") == key:
            state = "descending" if sort.startswith("-") else "ascending"
        headers.append((label, f"-{key}" if state == "ascending" else key, state))
    return headers
