"""The dashboard: the visible workspaces' cards (or, when they are many, those
that need attention and a compact table of all), the totals and the charts.

Its counts come from the summaries each sync writes (`schedules.summaries`),
so its work grows with the workspaces shown, not with their schedules.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from attention.models import Finding, OpenCount
from pages.attention import today
from pages.cards import workspace_cards
from pages.charts import dashboard_charts
from pages.failures import failed_runs
from pages.poller import Poller
from pages.workspace_table import (
    CARDS_AT_MOST,
    WorkspaceTable,
    broken,
    needing_attention,
    workspace_table,
)
from schedules import summaries
from schedules.models import Run
from workspaces import access
from workspaces.models import Workspace
from workspaces.tokens.problems import REAUTH_HELP


def dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    visible = access.visible_workspaces(request.user)
    workspaces = list(visible.only("pk", "name"))
    ids = [ws.pk for ws in workspaces]
    failed = failed_runs(access.scope(Run.objects.all(), request.user), now=now)
    compact = len(ids) > CARDS_AT_MOST
    findings = access.scope(Finding.objects.all(), request.user)
    counts = access.scope(OpenCount.objects.all(), request.user)
    attention = ids
    if compact:
        attention = needing_attention(
            visible,
            failed_runs=failed.by_workspace,
            broken=broken(counts, findings, now=now),
        )
    carded = attention[:CARDS_AT_MOST]
    overview = summaries.overview(
        ids, now=now, every=len(ids) == Workspace.objects.count(), detailed=set(carded)
    )
    cards = workspace_cards(
        visible.filter(pk__in=carded) if compact else visible,
        summary=overview.summary,
        operable=access.operable_ids(request.user),
        now=now,
        failed_runs=failed.by_workspace,
    )
    cards.sort(key=lambda card: carded.index(card.workspace.pk))
    table = None
    if compact:
        table = workspace_table(
            visible,
            request.GET,
            counts=overview.summary.by_workspace,
            failed_runs=failed.by_workspace,
            attention=set(attention),
        )
    context = {
        "cards": cards,
        "table": table,
        "attention": len(attention) if compact else None,
        "totals": overview.totals,
        "failed_runs": failed,
        "partial": [card.workspace.name for card in cards if card.coverage.partial],
        "charts": dashboard_charts(overview, workspaces=workspaces),
        "can_operate_any": any(card.can_operate for card in cards)
        or (compact and access.may_operate_any(request.user)),
        "poller": Poller(active=_active(cards, table), since=now),
        "reauth_help": REAUTH_HELP,
        "today": today(findings, counts=counts, now=now),
    }
    return render(request, "pages/dashboard.html", context)


def _active(cards: list, table: WorkspaceTable | None) -> bool:
    """Whether a sync shown on the page is queued or running."""
    rows = table.page.object_list if table else []
    return any(card.active for card in cards) or any(
        row.latest and row.latest.is_active for row in rows
    )
