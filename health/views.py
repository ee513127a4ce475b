"""The health page: database, broker, worker and (in the demo) the simulator; each
visible workspace's state and coverage; and the liveness probe."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from health.status import database_status, overall
from schedules.coverage import coverage_of
from schedules.health import health as health_of
from schedules.health import sync_facts, with_sync_runs
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
    """Each workspace the user sees: its health (its syncs included), its
    connections' state, and how much of it the portal sees; a partial view is
    not a fault of the portal's own health."""
    workspaces = list(
        with_sync_runs(access.visible_workspaces(user)).prefetch_related("connections")
    )
    coverage = coverage_of(workspaces)
    facts = sync_facts(workspaces)
    now = timezone.now()
    rows = []
    for ws in workspaces:
        state = standing(ws.connections.all())
        rows.append((ws, state, health_of(state, facts[ws.pk], now=now)))
    return [
        {
            "name": ws.name,
            "health": health.state,
            "health_label": health.label,
            "tone": health.tone.value,
            "reason": health.reason,
            "state": state.state,
            "coverage": coverage[ws.pk].extent,
            "summary": coverage[ws.pk].summary,
            "unconfirmed": coverage[ws.pk].unconfirmed,
        }
        for ws, state, health in rows
    ]


@login_not_required
@require_safe
def live(request):
    """For a load balancer or an orchestrator: no login, and nothing told.

    Up means this process answers and reaches its database; the broker and
    the workers are not asked, as pages work without them. What failed, and
    where, is on the health page, behind a login.
    """
    if database_status()["ok"]:
        return HttpResponse("ok\n", content_type="text/plain")
    return HttpResponse("unavailable\n", content_type="text/plain", status=503)
