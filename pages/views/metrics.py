"""/metrics for Prometheus: no login, a bearer token from settings.

Read from the database at scrape time (`attention.metrics`), so every
gunicorn process answers the same. Without AAC_METRICS_TOKEN the URL answers
404; a missing or wrong token 401, compared in constant time.
"""

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from attention.metrics import PortalCollector


@login_not_required
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    expected = settings.AAC_METRICS_TOKEN
    if not expected:
        raise Http404("Metrics are off: AAC_METRICS_TOKEN is not set")
    sent = request.headers.get("Authorization", "")
    scheme, _, token = sent.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), expected.encode()
    ):
        response = HttpResponse("A bearer token is required.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    registry = CollectorRegistry(auto_describe=False)
    registry.register(PortalCollector(now=timezone.now()))
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
