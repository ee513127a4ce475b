"""`sync_workspace`: one SyncRun, from its claim to its finish.

Fetch every kind's list first (consistent, or the run fails as partial), then
apply them all in one transaction; any failure before it commits leaves the
last good cache as it was, and the run says why.
"""

import logging
import re
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import timedelta

from django.utils import timezone

from aac.errors import AACError, RateLimited
from schedules.assets.kinds import ASSET_KINDS
from schedules.models import KindCounts, SyncRun
from schedules.retry import RetryPolicy
from schedules.sync import runs
from schedules.sync.apply import apply
from schedules.sync.fetch import Read, fetch
from schedules.sync.kinds import SCHEDULES, Kind
from schedules.sync.spool import Spool
from workspaces.models import Workspace
from workspaces.tokens.problems import TokenProblem

logger = logging.getLogger(__name__)

Status = SyncRun.Status
# What a sync of a workspace caches, in this order.
KINDS = (SCHEDULES, *ASSET_KINDS)


def sync_workspace(
    run: SyncRun,
    *,
    retry: RetryPolicy | None = None,
    kinds: Sequence[Kind] = KINDS,
) -> SyncRun:
    """Run `run` (queued, or left running by a lost worker) to its end.

    With `retry`, an unavailable or rate-limited AAC sends the run back to
    the queue with `retry_at` set, for the caller (the task) to schedule.
    `kinds` are what it caches: every kind, but for tests of the engine.
    """
    runs.expire_stale_runs(workspace=run.workspace, keep=run)
    if not runs.claim(run):
        return run
    try:
        return _sync(run, run.workspace, retry, kinds)
    except runs.RunLost:
        logger.warning("Sync run %s was expired while it worked; left as is", run.pk)
        run.refresh_from_db()
        return run


def _sync(
    run: SyncRun,
    workspace: Workspace,
    retry: RetryPolicy | None,
    kinds: Sequence[Kind],
) -> SyncRun:
    workspace.refresh_from_db(fields=["is_active", "state", "state_reason"])
    if not workspace.is_active:
        return runs.finish(run, Status.SKIPPED, kind="inactive", message="Inactive.")
    if workspace.state == Workspace.State.NEEDS_REAUTH:
        message = " ".join(["Needs re-authorisation.", workspace.state_reason])
        return runs.finish(run, Status.SKIPPED, kind="needs_reauth", message=message)
    heartbeat = runs.Heartbeat(run)
    try:
        with ExitStack() as spools:
            reads, changes = [], []
            for kind in kinds:
                spool = spools.enter_context(Spool())
                read, kind_changes = fetch(kind, workspace, spool, heartbeat)
                reads.append(read)
                changes.append(kind_changes)
            if None in changes:
                return _partial(run, reads, heartbeat)
            return apply(run, workspace, changes, heartbeat)
    except AACError as exc:
        return _failed(run, exc, retry, heartbeat)
    except TokenProblem as exc:
        return runs.finish(run, Status.FAILED, kind=exc.kind, message=exc.message)
    except runs.RunLost:
        raise
    except Exception as exc:
        # The run must end whatever broke (a time limit, the database): a
        # run left "running" would block its workspace until it expires.
        logger.exception("Sync run %s of workspace %s failed", run.pk, workspace.pk)
        message = f"{type(exc).__name__}: {exc}"
        return runs.finish(run, Status.FAILED, kind="internal", message=message)


def _partial(run: SyncRun, reads: list[Read], heartbeat: runs.Heartbeat) -> SyncRun:
    """No consistent read of some kind: nothing is applied, and the run says why."""
    problems = "; ".join(read.inconsistency for read in reads if read.inconsistency)
    return runs.finish(
        run,
        Status.FAILED,
        kind="partial",
        message=f"Partial, not applied: {problems}",
        counts={read.kind.name: _as_read(read.counts) for read in reads},
        pages_fetched=heartbeat.pages,
    )


def _as_read(counts: KindCounts) -> KindCounts:
    """What a read found, without what it would have written."""
    return KindCounts(
        pages=counts.pages,
        seen=counts.seen,
        unparsed=counts.unparsed,
        ignored=counts.ignored,
    )


def _failed(
    run: SyncRun,
    exc: AACError,
    retry: RetryPolicy | None,
    heartbeat: runs.Heartbeat,
) -> SyncRun:
    kind = _snake(type(exc).__name__)
    request_id = exc.request_id or ""
    delay = retry.delay_after(exc) if retry is not None else None
    if delay is None:
        return runs.finish(
            run,
            Status.FAILED,
            kind=kind,
            message=str(exc),
            request_id=request_id,
            pages_fetched=heartbeat.pages,
        )
    retry_at = timezone.now() + timedelta(seconds=delay)
    what = "Rate limited" if isinstance(exc, RateLimited) else "AAC unavailable"
    return runs.finish(
        run,
        Status.QUEUED,
        kind=kind,
        message=f"{what}, retrying at {retry_at:%H:%M:%S} UTC: {exc}",
        request_id=request_id,
        retry_at=retry_at,
        pages_fetched=heartbeat.pages,
    )


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
