"""A workspace's page: its state, coverage, charts, schedules and sync history.

Its counts and charts come from the summary its last sync wrote
(`schedules.summaries`), as the dashboard's do; the table pages through its
rows.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from pages.cards import workspace_cards
from pages.charts import workspace_charts
from pages.failures import failed_runs
from pages.poller import Poller
from pages.selection import row_actions
from pages.tables import build_table
from schedules import summaries
from schedules.models import Run, Schedule, SyncRun
from workspaces import access
from workspaces.models import Workspace
from workspaces.tokens.problems import REAUTH_HELP

# Runs shown in the sync history.
HISTORY = 20


def workspace(request: HttpRequest, workspace_id: int) -> HttpResponse:
    ws = access.visible_workspace_or_404(request.user, workspace_id)
    now = timezone.now()
    schedules = Schedule.objects.filter(workspace=ws)
    overview = summaries.overview([ws.pk], now=now, every=False, detailed={ws.pk})
    operable = access.operable_ids(request.user)
    failed = failed_runs(Run.objects.filter(workspace=ws), now=now, workspace_id=ws.pk)
    [card] = workspace_cards(
        Workspace.objects.filter(pk=ws.pk),
        summary=overview.summary,
        operable=operable,
        now=now,
        failed_runs=failed.by_workspace,
    )
    scope = {"workspace": ws.pk}
    history = SyncRun.objects.filter(workspace=ws).select_related("requested_by")
    context = {
        "card": card,
        "totals": overview.totals,
        "failed_runs": failed,
        "charts": workspace_charts(overview, scope=scope),
        "table": build_table(schedules, request.GET, workspaces=None, scope=scope),
        **row_actions(request.user),
        "history": history[:HISTORY],
        "poller": Poller(active=card.active is not None, workspace_id=ws.pk, since=now),
        "reauth_help": REAUTH_HELP,
    }
    return render(request, "pages/workspace.html", context)
