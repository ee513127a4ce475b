"""The schedules table of every visible workspace, and its CSV export."""

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from pages.selection import row_actions
from pages.tables import build_table, csv_lines, table_rows
from schedules.listing import ScheduleFilterForm, workspace_choices
from schedules.models import Schedule
from workspaces import access


def schedule_list(request: HttpRequest) -> HttpResponse:
    table = build_table(
        access.scope(Schedule.objects.all(), request.user),
        request.GET,
        workspaces=workspace_choices(request.user),
    )
    context = {"table": table, **row_actions(request.user)}
    return render(request, "pages/schedule_list.html", context)


def schedule_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Exactly the rows the table shows for the same query string, streamed."""
    form = ScheduleFilterForm(request.GET, workspaces=workspace_choices(request.user))
    rows = table_rows(access.scope(Schedule.objects.all(), request.user), form.params())
    # The response is consumed after this view returns and the middleware
    # has deactivated the viewer's timezone: hand it over explicitly.
    tz = timezone.get_current_timezone()
    response = StreamingHttpResponse(
        csv_lines(rows, tz=tz), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime(timezone=tz).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="schedules-{stamp}.csv"'
    return response
