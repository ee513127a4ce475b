"""The dashboard: every visible workspace's card, the totals and the charts.

Its counts come from the summaries each sync writes (`schedules.summaries`),
so its work grows with the workspaces shown, not with their schedules.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from pages.cards import workspace_cards
from pages.charts import dashboard_charts
from pages.failures import failed_runs
from pages.poller import Poller
from schedules import summaries
from schedules.models import Run
from workspaces import access
from workspaces.models import Workspace
from workspaces.tokens.problems import REAUTH_HELP


def dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    visible = access.visible_workspaces(request.user)
    ids = list(visible.values_list("pk", flat=True))
    overview = summaries.overview(
        ids, now=now, every=len(ids) == Workspace.objects.count(), detailed=set(ids)
    )
    failed = failed_runs(access.scope(Run.objects.all(), request.user), now=now)
    cards = workspace_cards(
        visible,
        summary=overview.summary,
        operable=access.operable_ids(request.user),
        now=now,
        failed_runs=failed.by_workspace,
    )
    workspaces = [card.workspace for card in cards]
    context = {
        "cards": cards,
        "totals": overview.totals,
        "failed_runs": failed,
        "partial": [card.workspace.name for card in cards if card.coverage.partial],
        "charts": dashboard_charts(overview, workspaces=workspaces),
        "can_operate_any": any(card.can_operate for card in cards),
        "poller": Poller(active=any(card.active for card in cards), since=now),
        "reauth_help": REAUTH_HELP,
    }
    return render(request, "pages/dashboard.html", context)
