"""The activity log: who did what, where, and how it ended; and its CSV export."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from pages.activity import csv_lines
from schedules.listing import workspace_choices
from workspaces.activity_log import ActivityFilterForm, filter_entries, visible_entries

PAGE_SIZE = 100


def activity(request: HttpRequest) -> HttpResponse:
    form = ActivityFilterForm(request.GET, workspaces=workspace_choices(request.user))
    entries = filter_entries(visible_entries(request.user), form.params())
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "pages/activity.html", context)


def activity_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Exactly the rows the page shows for the same filters, every page of them."""
    form = ActivityFilterForm(request.GET, workspaces=workspace_choices(request.user))
    entries = filter_entries(visible_entries(request.user), form.params())
    tz = timezone.get_current_timezone()
    response = StreamingHttpResponse(
        csv_lines(entries, tz=tz), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime(timezone=tz).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="activity-{stamp}.csv"'
    return response
