"""`sync_workspace`: one SyncRun, from its claim to its finish.

Read every kind's list through every connection of the workspace first (each
connection consistent, or counted as failed), then apply the union of what
the working connections listed in one transaction. A connection that fails
changes nothing of what it saw before; when none works, nothing is applied
and the run says why. Any failure before the apply commits leaves the last
good cache as it was.
"""

import logging
import re
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import datetime, timedelta

from django.utils import timezone

from aac.errors import AACError, RateLimited
from schedules.models import ConnectionReport, SyncRun
from schedules.retry import RetryPolicy
from schedules.sync import runs
from schedules.sync.apply import Union, apply
from schedules.sync.catalog import KINDS
from schedules.sync.fetch import Listing, Read, Stored, fetch
from schedules.sync.kinds import Kind
from schedules.sync.spool import Spool
from workspaces.models import Connection, Workspace
from workspaces.standing import NONE, standing
from workspaces.tokens.problems import TokenProblem

logger = logging.getLogger(__name__)

Status = SyncRun.Status


class Partial(Exception):
    """No consistent read of a kind through one connection."""

    def __init__(self, read: Read) -> None:
        super().__init__(read.inconsistency)
        self.read = read


Failure = AACError | TokenProblem | Partial


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
        return _sync(run, retry, kinds)
    except runs.RunLost:
        if not SyncRun.objects.filter(pk=run.pk).exists():
            logger.warning(
                "Sync run %s ended: its workspace was deleted while it ran", run.pk
            )
            return run
        logger.warning("Sync run %s was expired while it worked; left as is", run.pk)
        run.refresh_from_db()
        return run


def _sync(run: SyncRun, retry: RetryPolicy | None, kinds: Sequence[Kind]) -> SyncRun:
    workspace = Workspace.objects.filter(pk=run.workspace_id).first()
    if workspace is None:
        raise runs.RunLost(f"The workspace of sync run {run.pk} was deleted")
    if not workspace.is_active:
        return runs.finish(run, Status.SKIPPED, kind="inactive", message="Inactive.")
    connections = list(
        Connection.objects.filter(workspace=workspace).select_related("workspace")
    )
    state = standing(connections)
    if not state.may_sync:
        if state.state == NONE:
            kind, message = "no_connection", state.reason
        else:
            kind, message = "needs_reauth", f"Needs re-authorisation. {state.reason}"
        return runs.finish(run, Status.SKIPPED, kind=kind, message=message)
    heartbeat = runs.Heartbeat(run)
    try:
        with ExitStack() as spools:
            return _through_every_connection(
                run, workspace, connections, kinds, spools, heartbeat, retry
            )
    except runs.RunLost:
        raise
    except Exception as exc:
        # The run must end whatever broke (a time limit, the database): a
        # run left "running" would block its workspace until it expires.
        logger.exception("Sync run %s of workspace %s failed", run.pk, workspace.pk)
        message = f"{type(exc).__name__}: {exc}"
        return runs.finish(run, Status.FAILED, kind="internal", message=message)


def _through_every_connection(
    run: SyncRun,
    workspace: Workspace,
    connections: list[Connection],
    kinds: Sequence[Kind],
    spools: ExitStack,
    heartbeat: runs.Heartbeat,
    retry: RetryPolicy | None,
) -> SyncRun:
    """List every kind through each connection; apply the union of those that worked."""
    unions = [Union(kind, Stored.of(kind, workspace)) for kind in kinds]
    reports: list[ConnectionReport] = []
    failures: list[tuple[Connection, Failure]] = []
    for connection in connections:
        report = ConnectionReport(
            connection=connection.pk, slot=connection.slot, person=connection.person
        )
        reports.append(report)
        try:
            listings = [
                _listing(union, connection, spools, heartbeat, report)
                for union in unions
            ]
        except (AACError, TokenProblem, Partial) as exc:
            report.error_kind, report.error = _described(exc)
            failures.append((connection, exc))
            continue
        for union, listing in zip(unions, listings, strict=True):
            union.add(connection, listing)
    if len(failures) == len(connections):
        return _nothing_applied(run, failures, reports, heartbeat, retry)
    return apply(
        run,
        workspace,
        unions,
        heartbeat,
        connections=connections,
        reports=reports,
        note=_not_read(failures, len(connections)),
    )


def _listing(
    union: Union,
    connection: Connection,
    spools: ExitStack,
    heartbeat: runs.Heartbeat,
    report: ConnectionReport,
) -> Listing:
    spool = spools.enter_context(Spool())
    read, listing = fetch(union.kind, connection, union.stored, spool, heartbeat)
    report.pages += read.counts.pages
    report.listed[union.kind.name] = read.counts.seen
    if listing is None:
        raise Partial(read)
    return listing


def _described(exc: Failure) -> tuple[str, str]:
    """(kind, message) of a connection's failure."""
    if isinstance(exc, Partial):
        return "partial", f"Partial, not applied: {exc.read.inconsistency}"
    if isinstance(exc, TokenProblem):
        return exc.kind, exc.message
    return _snake(type(exc).__name__), str(exc)


def _not_read(failures: list[tuple[Connection, Failure]], total: int) -> str:
    """What a run that applied only some connections' lists says about the rest."""
    if not failures:
        return ""
    lines = "; ".join(f"{c.person}: {_described(exc)[1]}" for c, exc in failures)
    return (
        f"Applied what {total - len(failures)} of {total} connections listed. Not "
        f"read: {lines}. What only they list stays, as last confirmed."
    )


def _nothing_applied(
    run: SyncRun,
    failures: list[tuple[Connection, Failure]],
    reports: list[ConnectionReport],
    heartbeat: runs.Heartbeat,
    retry: RetryPolicy | None,
) -> SyncRun:
    """No connection could be read: the cache stays, and the run says why."""
    first = failures[0][1]
    kind, message = _described(first)
    if len(failures) > 1:
        message = "No connection could be read: " + "; ".join(
            f"{c.person}: {_described(exc)[1]}" for c, exc in failures
        )
    end = {"pages_fetched": heartbeat.pages, "reports": reports}
    if _rate_limited(first):
        return _rate_limit(run, first, retry, end)
    delay = (
        retry.delay_after(first)
        if retry is not None and isinstance(first, AACError)
        else None
    )
    request_id = getattr(first, "request_id", None) or ""
    if delay is None:
        return runs.finish(
            run, Status.FAILED, kind=kind, message=message, request_id=request_id, **end
        )
    retry_at = timezone.now() + timedelta(seconds=delay)
    return runs.finish(
        run,
        Status.QUEUED,
        kind=kind,
        message=f"AAC unavailable, retrying at {retry_at:%H:%M:%S} UTC: {message}",
        request_id=request_id,
        retry_at=retry_at,
        **end,
    )


def _rate_limited(exc: Failure) -> bool:
    return isinstance(exc, RateLimited) or (
        isinstance(exc, TokenProblem) and exc.kind == TokenProblem.RATE_LIMITED
    )


def _rate_limit(
    run: SyncRun, exc: RateLimited | TokenProblem, retry: RetryPolicy | None, end: dict
) -> SyncRun:
    """ "AAC rate limit, retrying at HH:MM": by the task when AAC's wait fits a
    countdown, else by the first scheduled sync from then (the beat waits for
    `retry_at`)."""
    delay = (
        retry.delay_after(exc)
        if retry is not None and isinstance(exc, AACError)
        else None
    )
    now = timezone.now()
    if delay is not None:
        retry_at, status, by = now + timedelta(seconds=delay), Status.QUEUED, ""
    elif exc.retry_after:
        retry_at, status = now + timedelta(seconds=exc.retry_after), Status.FAILED
        by = " (the first scheduled sync from then)"
    else:
        retry_at, status, by = None, Status.FAILED, ""
    message = (
        f"AAC rate limit, retrying at {_hh_mm(retry_at)} UTC{by}."
        if retry_at
        else "AAC rate limit; the next scheduled sync tries again."
    )
    return runs.finish(
        run,
        status,
        kind="rate_limited",
        message=message,
        request_id=getattr(exc, "request_id", None) or "",
        retry_at=retry_at,
        **end,
    )


def _hh_mm(at: datetime) -> str:
    # Rounded up: "retrying at" never names a minute before the wait ends.
    if at.second or at.microsecond:
        at = at.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return f"{at:%H:%M}"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
