"""A workspace's health: the one state its badge shows on every page and in the
admin, read off its connections' standing and its syncs.

The connections say whether the portal may read the workspace at all
(`workspaces.standing`); the syncs say whether it does. A workspace is green
only when a connection works and its last finished sync succeeded through
every connection, recently: a sync that waits to retry, fails, or was skipped,
and data older than two sync intervals, are never shown as "OK". Loaded for
any number of workspaces with one query more (`with_sync_runs`, `sync_facts`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from schedules.models import SyncRun
from workspaces.models import Workspace
from workspaces.standing import NONE, Standing, State

# Data older than this many sync intervals is stale.
STALE_INTERVALS = 2


class Tone(StrEnum):
    """What a state means at a glance: its colour on every page."""

    OK = "ok"  # green
    BUSY = "busy"  # blue: a first sync under way, a new connection
    WARN = "warn"  # amber: retrying, partly working, stale
    BAD = "bad"  # red: failing, needs re-authorisation, no connection works
    IDLE = "idle"  # grey: nothing to say yet


@dataclass(frozen=True)
class SyncFacts:
    """A workspace's syncs as its health needs them."""

    latest: SyncRun | None = None  # whatever its status
    last_finished: SyncRun | None = None
    last_success: SyncRun | None = None
    last_beat: SyncRun | None = None  # the newest one beat queued


@dataclass(frozen=True)
class Health:
    state: str
    label: str
    tone: Tone
    reason: str = ""
    # Since when the data has not been refreshed (failing, retrying, stale).
    since: datetime | None = None

    @property
    def green(self) -> bool:
        return self.tone == Tone.OK


def sync_interval() -> timedelta:
    return timedelta(minutes=settings.AAC_SYNC_INTERVAL_MINUTES)


def health(standing: Standing, facts: SyncFacts, *, now: datetime) -> Health:
    """The first that holds, from the connections down to the data's age."""
    latest, finished, success = facts.latest, facts.last_finished, facts.last_success
    since = success.finished_at if success else None
    if standing.state == NONE:
        return Health(NONE, "No connection", Tone.IDLE, standing.reason)
    if standing.state == State.NEEDS_REAUTH:
        return Health(standing.state, standing.label, Tone.BAD, standing.reason, since)
    if standing.state == State.ERROR:
        return Health(standing.state, standing.label, Tone.BAD, standing.reason, since)
    if latest and latest.is_active and latest.retry_at:
        why = latest.error_message or latest.error_kind or "the last attempt failed"
        return Health("retrying", "Retrying", Tone.WARN, why, since)
    if finished and finished.status == SyncRun.Status.FAILED:
        why = finished.error_message or finished.error_kind or "no reason recorded"
        return Health("failing", "Sync failing", Tone.BAD, why, since)
    if finished and finished.status == SyncRun.Status.SKIPPED:
        why = finished.error_message or "the last sync was skipped"
        return Health("skipped", "Sync skipped", Tone.WARN, why, since)
    if success is None:
        if latest and latest.is_active:
            return Health("first_sync", "First sync", Tone.BUSY)
        if standing.state == State.NEW:
            return Health(State.NEW, "Not checked yet", Tone.BUSY)
        return Health("never_synced", "Never synced", Tone.IDLE)
    if success.error_message or standing.problems:
        # The connections' own problems are listed beside it (`Standing`).
        return Health(
            "partial", "Partly working", Tone.WARN, success.error_message, since
        )
    if since and now - since > STALE_INTERVALS * sync_interval():
        return Health("stale", "Data stale", Tone.WARN, "", since)
    return Health(State.OK, "OK", Tone.OK)


def next_automatic_sync(
    workspace: Workspace, facts: SyncFacts, *, now: datetime
) -> datetime | None:
    """When beat will queue the workspace's next sync, as far as the portal
    knows: a waiting retry's time, else an interval after beat's last; None
    for an inactive workspace. A time in the past means beat is late."""
    if not workspace.is_active:
        return None
    latest = facts.latest
    if latest and latest.is_active and latest.retry_at:
        return latest.retry_at
    if facts.last_beat is None:
        return None
    return facts.last_beat.queued_at + sync_interval()


def _newest(**filters) -> Subquery:
    runs = SyncRun.objects.filter(workspace=OuterRef("pk"), **filters)
    return Subquery(runs.order_by("-queued_at", "-id").values("id")[:1])


# The annotations `with_sync_runs` adds: the ids of the runs `SyncFacts` holds.
_RUNS = {
    "latest_run_id": {},
    "last_finished_run_id": {"status__in": SyncRun.FINISHED_STATES},
    "last_success_run_id": {"status": SyncRun.Status.SUCCEEDED},
    "last_beat_run_id": {"trigger": SyncRun.Trigger.BEAT},
}


def with_sync_runs(workspaces: QuerySet[Workspace]) -> QuerySet[Workspace]:
    """The workspaces with the ids of the runs `sync_facts` loads."""
    return workspaces.annotate(**{name: _newest(**f) for name, f in _RUNS.items()})


def sync_facts(workspaces: Iterable[Workspace]) -> dict[int, SyncFacts]:
    """Each workspace's facts, from workspaces loaded `with_sync_runs`: one
    query however many."""
    workspaces = list(workspaces)
    ids = {getattr(ws, name) for ws in workspaces for name in _RUNS} - {None}
    runs = SyncRun.objects.in_bulk(ids)
    return {
        ws.pk: SyncFacts(*(runs.get(getattr(ws, name)) for name in _RUNS))
        for ws in workspaces
    }
