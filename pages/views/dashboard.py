"""The dashboard: every visible workspace's card, the totals and the charts."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from attention.models import Finding
from pages.attention import today
from pages.cards import workspace_cards
from pages.charts import dashboard_charts
from pages.failures import failed_runs
from pages.poller import Poller
from schedules.models import Run, Schedule
from schedules.queries import summarise
from workspaces import access
from workspaces.tokens.problems import REAUTH_HELP


def dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    schedules = access.scope(Schedule.objects.all(), request.user)
    summary = summarise(schedules, now=now)
    failed = failed_runs(access.scope(Run.objects.all(), request.user), now=now)
    cards = workspace_cards(
        access.visible_workspaces(request.user),
        summary=summary,
        operable=access.operable_ids(request.user),
        now=now,
        failed_runs=failed.by_workspace,
    )
    workspaces = [card.workspace for card in cards]
    context = {
        "cards": cards,
        "totals": summary.totals,
        "failed_runs": failed,
        "partial": [card.workspace.name for card in cards if card.coverage.partial],
        "charts": dashboard_charts(schedules, summary, workspaces=workspaces, now=now),
        "can_operate_any": any(card.can_operate for card in cards),
        "poller": Poller(active=any(card.active for card in cards), since=now),
        "reauth_help": REAUTH_HELP,
        "today": today(access.scope(Finding.objects.all(), request.user), now=now),
    }
    return render(request, "pages/dashboard.html", context)
