"""The health page (database, broker, worker, simulator) and the liveness probe."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from health.status import database_status, overall


def health(request):
    report = overall()
    status = 200 if report["ok"] else 503
    if request.accepts("text/html"):
        return render(request, "health/health.html", report, status=status)
    return JsonResponse(report, status=status)


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
