"""The health page: database, broker, worker and (in the demo) the simulator; and
each visible workspace's state and coverage."""

from django.http import JsonResponse
from django.shortcuts import render

from health.status import overall
from schedules.coverage import coverage_of
from workspaces import access
from workspaces.standing import standing


def health(request):
    report = overall()
    status = 200 if report["ok"] else 503
    report["workspaces"] = _workspaces(request.user)
    if request.accepts("text/html"):
        return render(request, "health/health.html", report, status=status)
    return JsonResponse(report, status=status)


def _workspaces(user) -> list[dict]:
    """What each workspace the user sees is connected through, and how much of it
    the portal sees; a partial view is not a fault of the portal's own health."""
    workspaces = list(access.visible_workspaces(user).prefetch_related("connections"))
    coverage = coverage_of(workspaces)
    return [
        {
            "name": ws.name,
            "state": standing(ws.connections.all()).state,
            "coverage": coverage[ws.pk].extent,
            "summary": coverage[ws.pk].summary,
            "unconfirmed": coverage[ws.pk].unconfirmed,
        }
        for ws in workspaces
    ]
