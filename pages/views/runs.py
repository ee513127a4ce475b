"""The runs of every visible workspace: a filtered table and two charts."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from pages.coverage import partially_seen
from pages.run_charts import UNFOLLOWED, run_charts
from pages.runs import build_run_table
from schedules.listing import workspace_choices
from schedules.models import Run, RunHour
from workspaces import access


def run_list(request: HttpRequest) -> HttpResponse:
    workspaces = workspace_choices(request.user)
    table = build_run_table(
        access.scope(Run.objects.all(), request.user),
        request.GET,
        workspaces=workspaces,
    )
    charts = run_charts(
        access.scope(RunHour.objects.all(), request.user),
        table.form.filters(),
        now=timezone.now(),
        names=dict(workspaces),
    )
    context = {
        "partial": partially_seen(request.user),
        "table": table,
        "charts": charts,
        "charts_unfiltered": any(key in UNFOLLOWED for key in table.form.filters()),
    }
    return render(request, "pages/run_list.html", context)
