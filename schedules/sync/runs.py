"""The life of a `SyncRun`: claim, heartbeat, finish, expire.

Every change of state is a conditional UPDATE guarded by the state it expects
(see the transitions on `SyncRun`), so a worker whose run was expired under it
can no longer write anything: its next heartbeat or its finish raises
`RunLost`, and inside the apply's transaction that rolls the apply back.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models.functions import Coalesce
from django.utils import timezone

from schedules.models import ConnectionReport, KindCounts, SyncRun
from workspaces.models import Workspace

logger = logging.getLogger(__name__)

Status = SyncRun.Status

# Heartbeats per AAC_SYNC_HEARTBEAT_TIMEOUT while a sync works: a run misses
# several before it is taken for dead.
BEATS_PER_TIMEOUT = 8


class RunLost(Exception):
    """Someone else ended the run (expired it) while this worker was on it."""


def load_run(run_id: int) -> SyncRun | None:
    run = SyncRun.objects.select_related("workspace").filter(pk=run_id).first()
    if run is None:
        logger.warning(
            "Sync run %s no longer exists (its workspace was deleted?); skipped",
            run_id,
        )
    return run


def claim(run: SyncRun) -> bool:
    """Move the run from queued to running; False when there is nothing to do.

    The database allows one queued-or-running run per workspace, so a queued
    run can always start. A run already "running" is one whose task was
    delivered again because its worker died (acks_late): it is taken over. A
    finished run is left alone.
    """
    now = timezone.now()
    claimed = SyncRun.objects.filter(pk=run.pk, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now, heartbeat_at=now, retry_at=None
    )
    try:
        run.refresh_from_db()
    except SyncRun.DoesNotExist:
        logger.warning("Sync run %s is gone (its workspace was deleted)", run.pk)
        return False
    if claimed:
        return True
    if run.status == Status.RUNNING:
        # The guard on the heartbeat lets one of two redeliveries take it over.
        taken = SyncRun.objects.filter(
            pk=run.pk, status=Status.RUNNING, heartbeat_at=run.heartbeat_at
        ).update(started_at=now, heartbeat_at=now)
        if taken:
            logger.warning("Sync run %s: taking over from a lost worker", run.pk)
            run.started_at = run.heartbeat_at = now
            return True
    logger.info("Sync run %s is %s; nothing to do", run.pk, run.status)
    return False


class Heartbeat:
    """Says a running run is being worked on, and counts the pages fetched.

    `page()` is called after every page; it writes at most every
    AAC_SYNC_HEARTBEAT_TIMEOUT / BEATS_PER_TIMEOUT seconds, so a fast sync
    costs no statement per page.
    """

    def __init__(self, run: SyncRun) -> None:
        self.run = run
        self.pages = 0
        self.last = run.heartbeat_at or timezone.now()

    def page(self) -> None:
        self.pages += 1
        interval = settings.AAC_SYNC_HEARTBEAT_TIMEOUT / BEATS_PER_TIMEOUT
        if timezone.now() - self.last >= timedelta(seconds=interval):
            self.beat()

    def beat(self) -> None:
        """Write the heartbeat now; raises RunLost when the run is no longer ours."""
        now = timezone.now()
        beaten = SyncRun.objects.filter(pk=self.run.pk, status=Status.RUNNING).update(
            heartbeat_at=now, pages_fetched=self.pages
        )
        if not beaten:
            raise RunLost(f"Sync run {self.run.pk} was ended by someone else")
        self.last = self.run.heartbeat_at = now
        self.run.pages_fetched = self.pages


def finish(
    run: SyncRun,
    status: str,
    *,
    kind: str = "",
    message: str = "",
    request_id: str = "",
    retry_at: datetime | None = None,
    counts: dict[str, KindCounts] | None = None,
    pages_fetched: int | None = None,
    reports: list[ConnectionReport] | None = None,
) -> SyncRun:
    """End a running run (or send it back to the queue with `retry_at`).

    `counts` are what each kind's lists added up to; `pages_fetched` every
    page the run read; `reports` what each connection did. Raises RunLost
    when the run is no longer running: someone expired it (or deleted it with
    its workspace).
    """
    values = {
        "status": status,
        "finished_at": None if status == Status.QUEUED else timezone.now(),
        "error_kind": kind,
        "error_message": message,
        "aac_request_id": request_id,
        "retry_at": retry_at,
    }
    if counts is not None:
        values["counts"] = {name: c.to_json() for name, c in counts.items()}
    if pages_fetched is not None:
        values["pages_fetched"] = pages_fetched
    if reports is not None:
        values["by_connection"] = [report.to_json() for report in reports]
    finished = SyncRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(**values)
    if not finished:
        raise RunLost(f"Sync run {run.pk} was ended by someone else")
    for name, value in values.items():
        setattr(run, name, value)
    log = logger.warning if status in (Status.FAILED, Status.QUEUED) else logger.info
    log("Sync run %s: %s %s %s", run.pk, status, kind, message)
    return run


def expire_stale_runs(
    *, workspace: Workspace | None = None, keep: SyncRun | None = None
) -> int:
    """Fail runs nobody is working on any more, so their workspace can sync again.

    A running run whose heartbeat is older than AAC_SYNC_HEARTBEAT_TIMEOUT
    lost its worker; a queued one whose start (or retry) is
    AAC_SYNC_STALE_MINUTES overdue lost its message (docs/reliability.md
    rule 16).
    """
    now = timezone.now()
    runs = SyncRun.objects.all()
    if workspace is not None:
        runs = runs.filter(workspace=workspace)
    if keep is not None:
        runs = runs.exclude(pk=keep.pk)
    timeout = settings.AAC_SYNC_HEARTBEAT_TIMEOUT
    expired = runs.filter(
        status=Status.RUNNING, heartbeat_at__lt=now - timedelta(seconds=timeout)
    ).update(
        status=Status.FAILED,
        finished_at=now,
        error_kind="expired",
        error_message=f"Expired: its worker stopped answering (no heartbeat for "
        f"{timeout} s).",
    )
    cutoff = now - timedelta(minutes=settings.AAC_SYNC_STALE_MINUTES)
    expired += (
        runs.filter(status=Status.QUEUED)
        .alias(due=Coalesce("retry_at", "queued_at"))
        .filter(due__lt=cutoff)
        .update(
            status=Status.FAILED,
            finished_at=now,
            error_kind="expired",
            error_message="Expired: no worker started it.",
        )
    )
    if expired:
        logger.warning("Expired %s stale sync runs", expired)
    return expired
