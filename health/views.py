"""The health page: database, broker, worker and (in the demo) the simulator."""

from django.http import JsonResponse
from django.shortcuts import render

from health.status import overall


def health(request):
    report = overall()
    status = 200 if report["ok"] else 503
    if request.accepts("text/html"):
        return render(request, "health/health.html", report, status=status)
    return JsonResponse(report, status=status)
