"""Rules about a workspace as a whole and its connections: its syncs, how old
its data is, its tokens, how much of it the portal sees, what it could not
read."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, Min

from attention.hits import Hit
from attention.rules import Rule
from schedules.coverage import coverage_of
from schedules.models import SyncRun
from workspaces.models import Connection, Workspace

Status = SyncRun.Status


def _last_success(workspace: Workspace) -> datetime | None:
    runs = SyncRun.objects.filter(workspace=workspace, status=Status.SUCCEEDED)
    return runs.aggregate(at=Max("finished_at"))["at"]


def sync_failing(workspace: Workspace, rule: Rule, now: datetime) -> list[Hit]:
    """The latest finished sync failed, or the current one waits to retry."""
    latest = (
        SyncRun.objects.filter(workspace=workspace)
        .exclude(status=Status.RUNNING)
        .exclude(status=Status.QUEUED, retry_at__isnull=True)
        .order_by("-queued_at", "-id")
        .first()
    )
    if latest is None or latest.status not in (Status.FAILED, Status.QUEUED):
        return []
    failed_since = SyncRun.objects.filter(workspace=workspace, status=Status.FAILED)
    last_ok = _last_success(workspace)
    if last_ok is not None:
        failed_since = failed_since.filter(queued_at__gt=last_ok)
    since = failed_since.aggregate(at=Min("queued_at"))["at"] or latest.queued_at
    retry = latest.retry_at or (
        latest.queued_at + timedelta(minutes=settings.AAC_SYNC_INTERVAL_MINUTES)
    )
    return [
        Hit(
            "",
            workspace.name,
            f"{latest.error_message or 'The last sync failed.'} Next try: "
            f"{max(retry, now):%Y-%m-%d %H:%M} UTC.",
            since=since,
            data={"next_retry": max(retry, now).isoformat(), "run": latest.pk},
        )
    ]


def stale_data(workspace: Workspace, rule: Rule, now: datetime) -> list[Hit]:
    """No successful sync within `intervals` sync intervals (for a workspace
    with a connection; one without any is the coverage rule's)."""
    if not Connection.objects.filter(workspace=workspace).exists():
        return []
    limit = timedelta(minutes=settings.AAC_SYNC_INTERVAL_MINUTES * rule["intervals"])
    last_ok = _last_success(workspace)
    if (last_ok or workspace.created_at) >= now - limit:
        return []
    message = (
        f"The last sync that worked ended at {last_ok:%Y-%m-%d %H:%M} UTC."
        if last_ok
        else "No sync of this workspace has worked yet."
    )
    return [Hit("", workspace.name, message, since=last_ok or workspace.created_at)]


def needs_reauth(workspace: Workspace, rule: Rule, now: datetime) -> list[Hit]:
    rows = Connection.objects.filter(
        workspace=workspace, state=Connection.State.NEEDS_REAUTH
    )
    return [
        Hit(
            str(connection.pk),
            connection.person,
            connection.state_reason or "AAC refused its refresh token.",
            since=connection.state_changed_at,
        )
        for connection in rows
    ]


def token_expiring(workspace: Workspace, rule: Rule, now: datetime) -> list[Hit]:
    """Within AAC_REFRESH_TOKEN_WARNING_DAYS of the lifetime chosen in AAC
    (a connection already refused is the re-authorisation rule's)."""
    rows = Connection.objects.filter(
        workspace=workspace, refresh_token_issued_at__isnull=False
    ).exclude(state=Connection.State.NEEDS_REAUTH)
    hits = []
    for connection in rows:
        if not connection.refresh_token_expires_soon(now):
            continue
        ends = connection.refresh_token_expires_at
        verb = "expired" if ends <= now else "expires"
        hits.append(
            Hit(
                str(connection.pk),
                connection.person,
                f"Its refresh token {verb} at {ends:%Y-%m-%d %H:%M} UTC.",
                data={"expires_at": ends.isoformat()},
            )
        )
    return hits


def partial_coverage(workspace: Workspace, rule: Rule, now: datetime) -> list[Hit]:
    coverage = coverage_of([workspace])[workspace.pk]
    if not coverage.partial:
        return []
    return [
        Hit(
            "",
            workspace.name,
            " ".join(filter(None, [coverage.summary, coverage.missing_line])),
            data={"missing": len(coverage.missing)},
        )
    ]


def not_understood(workspace: Workspace, rule: Rule, now: datetime) -> list[Hit]:
    """What the last successful sync counted as not fully understood."""
    run = (
        SyncRun.objects.filter(workspace=workspace, status=Status.SUCCEEDED)
        .order_by("-finished_at")
        .only("counts")
        .first()
    )
    if run is None:
        return []
    counts = {kind: run.counts_of(kind).unparsed for kind in run.counts}
    counts = {kind: n for kind, n in counts.items() if n}
    if not counts:
        return []
    words = ", ".join(f"{n:,} {kind}" for kind, n in counts.items())
    return [
        Hit(
            "",
            workspace.name,
            f"Stored with parts the portal could not read: {words}.",
            data={"unparsed": counts},
        )
    ]
