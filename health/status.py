"""The state of everything the portal depends on, for the health page and checks."""

import logging
from datetime import timedelta

import requests
from celery import current_app
from django.conf import settings
from django.db import connection
from django.utils import timezone

from health.models import WorkerHeartbeat
from workspaces.queueing import UNAVAILABLE

logger = logging.getLogger(__name__)

WORKER_STALE_AFTER = timedelta(seconds=90)


def record_heartbeat(hostname: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"last_seen": timezone.now()}
    )


def database_status() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, "detail": connection.vendor}


def broker_status() -> dict:
    # The project's Celery app, current since the settings package loaded it.
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as exc:
        return {"ok": False, "detail": f"{UNAVAILABLE} ({exc})"}
    return {"ok": True, "detail": str(transport)}


def worker_status() -> dict:
    latest = WorkerHeartbeat.objects.order_by("-last_seen").first()
    if latest is None:
        return {"ok": False, "detail": "no worker has reported yet"}
    age = timezone.now() - latest.last_seen
    ok = age <= WORKER_STALE_AFTER
    return {
        "ok": ok,
        "detail": f"{latest.hostname} seen {int(age.total_seconds())} s ago",
        "last_seen": latest.last_seen,
    }


def simulator_status() -> dict | None:
    """None unless the simulator region is configured."""
    region = settings.AAC_REGIONS.get("sim")
    if region is None:
        return None
    try:
        response = requests.get(f"{region['api_url']}/_sim/health", timeout=2)
        response.raise_for_status()
    except requests.RequestException as exc:
        return {"ok": False, "detail": f"unreachable at {region['api_url']} ({exc})"}
    return {"ok": True, "detail": region["api_url"]}


def overall() -> dict:
    checks = {
        "database": database_status(),
        "broker": broker_status(),
        "worker": worker_status(),
    }
    simulator = simulator_status()
    if simulator is not None:
        checks["simulator"] = simulator
    return {"ok": all(c["ok"] for c in checks.values()), "checks": checks}
