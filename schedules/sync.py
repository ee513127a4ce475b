"""Sync one workspace's schedules from AAC into the cache, and record the run.

Fetch every page first (through `call_aac`, parsed page by page and spooled to
a temporary file so memory holds one page, whatever the workspace's size),
check the fetch was consistent, then apply it in one transaction: per page one
SELECT of the stored fingerprints and one bulk upsert of what is new or
changed; unchanged rows are not written; what AAC no longer lists is deleted.
Any failure before the transaction commits leaves the last good cache as it
was, and the run says why (RELIABILITY rule 9).

Next run times are computed when a schedule is written, and recomputed here,
at the end of every sync, for the rows whose next run has passed (the beat
syncs every workspace every AAC_SYNC_INTERVAL_MINUTES).
"""

import logging
import pickle
import random
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from aac.errors import AACError, RateLimited, Unavailable
from schedules.models import Schedule, SyncRun
from schedules.parse import ParsedSchedule, next_run_at, parse_schedule
from workspaces.connection import call_aac
from workspaces.models import Workspace
from workspaces.tokens import TokenProblem

logger = logging.getLogger(__name__)

Status = SyncRun.Status

# A list that changed while it was read is read once more before giving up.
READ_ATTEMPTS = 2
# Celery retries of unavailable and rate-limited syncs: full-jitter
# exponential backoff from this base, never sooner than AAC's x-retry-after.
RETRY_BASE_SECONDS = 30
# Rows per DELETE and per next-run UPDATE batch.
BATCH_SIZE = 500
# Every column a sync writes on upsert (all but the key).
UPSERT_FIELDS = [
    f.name
    for f in Schedule._meta.concrete_fields
    if f.name not in ("id", "workspace", "aac_id")
]


def load_run(run_id: int) -> SyncRun | None:
    run = SyncRun.objects.select_related("workspace").filter(pk=run_id).first()
    if run is None:
        logger.warning(
            "Sync run %s no longer exists (its workspace was deleted?); skipped",
            run_id,
        )
    return run


def sync_workspace(
    *, workspace: Workspace, run: SyncRun, attempt: int = 0, may_retry: bool = False
) -> SyncRun:
    """Run `run` (queued, or left running by a lost worker) to its end.

    With `may_retry`, an unavailable or rate-limited AAC leaves the run queued
    with `retry_at` set, for the caller (the Celery task) to schedule.
    """
    expire_stale_runs(workspace=workspace, keep=run)
    if not _claim(run):
        return run
    workspace.refresh_from_db(fields=["is_active", "state", "state_reason"])
    if not workspace.is_active:
        return _finish(run, Status.SKIPPED, kind="inactive", message="Inactive.")
    if workspace.state == Workspace.State.NEEDS_REAUTH:
        message = " ".join(["Needs re-authorisation.", workspace.state_reason])
        return _finish(run, Status.SKIPPED, kind="needs_reauth", message=message)
    try:
        with _Spool() as spool:
            fetch = _fetch(workspace, spool)
            if fetch.inconsistency:
                return _finish(
                    run,
                    Status.FAILED,
                    kind="partial",
                    message=f"Partial, not applied: {fetch.inconsistency}",
                    fetch=fetch,
                )
            return _apply(workspace, run, fetch)
    except AACError as exc:
        return _failed(run, exc, attempt=attempt, may_retry=may_retry)
    except TokenProblem as exc:
        return _finish(run, Status.FAILED, kind=exc.kind, message=exc.message)
    except Exception as exc:
        # The run must end whatever broke (a time limit, the database): a
        # run left "running" would block its workspace until it expires.
        logger.exception("Sync run %s of workspace %s failed", run.pk, workspace.pk)
        return _finish(
            run, Status.FAILED, kind="internal", message=f"{type(exc).__name__}: {exc}"
        )


def expire_stale_runs(
    *, workspace: Workspace | None = None, keep: SyncRun | None = None
) -> int:
    """Fail runs nobody is working on any more, so their workspace can sync again.

    A running run older than AAC_SYNC_STALE_MINUTES lost its worker; a queued
    one whose start (or retry) is that overdue lost its message.
    """
    now = timezone.now()
    cutoff = now - timedelta(minutes=settings.AAC_SYNC_STALE_MINUTES)
    runs = SyncRun.objects.all()
    if workspace is not None:
        runs = runs.filter(workspace=workspace)
    if keep is not None:
        runs = runs.exclude(pk=keep.pk)
    expired = runs.filter(status=Status.RUNNING, started_at__lt=cutoff).update(
        status=Status.FAILED,
        finished_at=now,
        error_kind="expired",
        error_message="Expired: its worker stopped answering.",
    )
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


def retry_delay(exc: Exception, *, attempt: int) -> float | None:
    """Seconds to wait before retrying after `exc`; None when not to retry.

    Only unavailable and rate-limited errors retry: after a full-jitter
    exponential backoff, never sooner than AAC's x-retry-after, and never
    later than `max_retry_delay()`: a wait AAC asks for beyond that is left to
    the next beat.
    """
    if not isinstance(exc, Unavailable | RateLimited):
        return None
    cap = max_retry_delay()
    asked = exc.retry_after or 0
    if asked > cap:
        return None
    backoff = random.uniform(0, RETRY_BASE_SECONDS * 2**attempt)
    return min(max(backoff, asked, 1.0), cap)


def max_retry_delay() -> float:
    """The longest countdown a retry may have.

    A Redis message not acknowledged within the visibility timeout is
    delivered again, and a countdown message stays unacknowledged until its
    task ends (acks_late), so countdown + hard time limit must fit in it
    (RELIABILITY rule 8). Beyond one beat interval, the beat does better.
    """
    cap = settings.AAC_SYNC_INTERVAL_MINUTES * 60.0
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    if visibility:
        cap = min(cap, visibility - settings.CELERY_TASK_TIME_LIMIT - 60)
    return cap


def advance_next_runs(*, workspace: Workspace, now: datetime) -> int:
    """Recompute `next_run_at` of the workspace's schedules whose next run passed."""
    passed = Schedule.objects.filter(workspace=workspace, next_run_at__lte=now)
    rows = list(passed.only("pk", "raw")[:BATCH_SIZE])
    changed = 0
    while rows:
        for row in rows:
            row.next_run_at = next_run_at(row.raw, after=now)
        changed += Schedule.objects.bulk_update(rows, ["next_run_at"])
        # Updated rows now lie in the future, so the same query pages on.
        rows = list(passed.only("pk", "raw")[:BATCH_SIZE])
    return changed


# ---------------------------------------------------------------------------
# Claiming and finishing runs
# ---------------------------------------------------------------------------


def _claim(run: SyncRun) -> bool:
    """Move the run from queued to running; the database allows one per workspace.

    A run already "running" is one whose task was delivered again because its
    worker died (acks_late): it is taken over. A finished run is left alone.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            claimed = SyncRun.objects.filter(pk=run.pk, status=Status.QUEUED).update(
                status=Status.RUNNING, started_at=now, retry_at=None
            )
    except IntegrityError:
        _finish(
            run,
            Status.SKIPPED,
            kind="busy",
            message="Skipped: another sync of this workspace is running.",
            started=False,
        )
        return False
    run.refresh_from_db()
    if claimed:
        return True
    if run.status == Status.RUNNING:
        # The guard on started_at lets one of two redeliveries take it over.
        taken = SyncRun.objects.filter(
            pk=run.pk, status=Status.RUNNING, started_at=run.started_at
        ).update(started_at=now)
        if taken:
            logger.warning("Sync run %s: taking over from a lost worker", run.pk)
            run.started_at = now
            return True
    logger.info("Sync run %s is %s; nothing to do", run.pk, run.status)
    return False


def _finish(
    run: SyncRun,
    status: str,
    *,
    kind: str = "",
    message: str = "",
    request_id: str = "",
    retry_at: datetime | None = None,
    fetch: "_Fetch | None" = None,
    counts: "_Counts | None" = None,
    started: bool = True,
) -> SyncRun:
    run.status = status
    run.finished_at = None if status == Status.QUEUED else timezone.now()
    run.error_kind, run.error_message = kind, message
    run.aac_request_id = request_id or ""
    run.retry_at = retry_at
    fields = ["status", "finished_at", "error_kind", "error_message"]
    fields += ["aac_request_id", "retry_at"]
    if not started:
        # Refused at the claim: the run never started; it may have no row
        # left to be "running" in, so write only if it is still queued.
        SyncRun.objects.filter(pk=run.pk, status=Status.QUEUED).update(
            **{name: getattr(run, name) for name in fields}
        )
        return run
    if fetch is not None:
        run.pages_fetched = fetch.pages
        run.schedules_seen = len(fetch.seen)
        run.unparsed, run.ignored = fetch.unparsed, fetch.ignored
        fields += ["pages_fetched", "schedules_seen", "unparsed", "ignored"]
    if counts is not None:
        run.created, run.updated = counts.created, counts.updated
        run.unchanged, run.deleted = counts.unchanged, counts.deleted
        fields += ["created", "updated", "unchanged", "deleted"]
    run.save(update_fields=fields)
    log = (
        logger.info if status in (Status.SUCCEEDED, Status.SKIPPED) else logger.warning
    )
    log("Sync run %s: %s %s %s", run.pk, status, kind, message)
    return run


def _failed(run: SyncRun, exc: AACError, *, attempt: int, may_retry: bool) -> SyncRun:
    kind = _snake(type(exc).__name__)
    delay = retry_delay(exc, attempt=attempt) if may_retry else None
    if delay is None:
        return _finish(
            run,
            Status.FAILED,
            kind=kind,
            message=str(exc),
            request_id=exc.request_id or "",
        )
    retry_at = timezone.now() + timedelta(seconds=delay)
    what = "Rate limited" if isinstance(exc, RateLimited) else "AAC unavailable"
    return _finish(
        run,
        Status.QUEUED,
        kind=kind,
        message=f"{what}, retrying at {retry_at:%H:%M:%S} UTC: {exc}",
        request_id=exc.request_id or "",
        retry_at=retry_at,
    )


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# ---------------------------------------------------------------------------
# Fetching
# ---------------------------------------------------------------------------


class _Spool:
    """Parsed pages in a temporary file: memory holds one page at a time.

    Pickle is safe here: the file is private to this process, created and
    read back by it alone.
    """

    def __enter__(self) -> "_Spool":
        self.file = tempfile.TemporaryFile()
        self.pages = 0
        return self

    def __exit__(self, *exc_info) -> None:
        self.file.close()

    def reset(self) -> None:
        self.file.seek(0)
        self.file.truncate()
        self.pages = 0

    def write(self, page: list[ParsedSchedule]) -> None:
        pickle.dump(page, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.pages += 1

    def __iter__(self) -> Iterator[list[ParsedSchedule]]:
        self.file.seek(0)
        for _ in range(self.pages):
            yield pickle.load(self.file)  # noqa: S301 - our own file, see above


@dataclass
class _Fetch:
    spool: _Spool
    now: datetime
    pages: int = 0
    seen: set[int] = field(default_factory=set)
    repeated: set[int] = field(default_factory=set)
    unparsed: int = 0
    ignored: int = 0
    count_before: int = 0
    count_after: int = 0

    @property
    def inconsistency(self) -> str:
        """Why this fetch is not a consistent picture of AAC's list, or ""."""
        problems = []
        if self.count_before != self.count_after:
            problems.append(
                f"AAC's count changed from {self.count_before} to "
                f"{self.count_after} while the list was read"
            )
        if self.repeated:
            some = ", ".join(str(i) for i in sorted(self.repeated)[:5])
            problems.append(f"{len(self.repeated)} schedules listed twice ({some})")
        listed = len(self.seen) + self.ignored
        if not problems and listed != self.count_after:
            problems.append(
                f"{listed} schedules listed but AAC counts {self.count_after}"
            )
        return "; ".join(problems)

    def read(self, client) -> "_Fetch":
        """One full pass over AAC's list (called by `call_aac`, maybe twice)."""
        self.spool.reset()
        self.pages, self.unparsed, self.ignored = 0, 0, 0
        self.seen, self.repeated = set(), set()
        self.count_before = client.count_schedules()
        for items in client.iter_schedule_pages():
            page = []
            for item in items:
                parsed = parse_schedule(item, now=self.now)
                if parsed is None:
                    self.ignored += 1
                    continue
                if parsed.aac_id in self.seen:
                    self.repeated.add(parsed.aac_id)
                    continue
                self.seen.add(parsed.aac_id)
                self.unparsed += bool(parsed.problems)
                page.append(parsed)
            self.spool.write(page)
            self.pages += 1
        self.count_after = client.count_schedules()
        return self


def _fetch(workspace: Workspace, spool: _Spool) -> _Fetch:
    """Read AAC's list; read it again if it changed meanwhile (once)."""
    fetch = _Fetch(spool=spool, now=timezone.now())
    for attempt in range(1, READ_ATTEMPTS + 1):
        fetch.now = timezone.now()
        call_aac(workspace, fetch.read)
        if not fetch.inconsistency:
            break
        logger.info(
            "Workspace %s: read %s of %s was inconsistent: %s",
            workspace.pk,
            attempt,
            READ_ATTEMPTS,
            fetch.inconsistency,
        )
    return fetch


# ---------------------------------------------------------------------------
# Applying
# ---------------------------------------------------------------------------


@dataclass
class _Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


def _apply(workspace: Workspace, run: SyncRun, fetch: _Fetch) -> SyncRun:
    counts = _Counts()
    with transaction.atomic():
        stored = set(
            Schedule.objects.filter(workspace=workspace).values_list(
                "aac_id", flat=True
            )
        )
        for page in fetch.spool:
            _apply_page(workspace, page, fetch.now, counts)
        gone = sorted(stored - fetch.seen)
        for start in range(0, len(gone), BATCH_SIZE):
            deleted, _ = Schedule.objects.filter(
                workspace=workspace, aac_id__in=gone[start : start + BATCH_SIZE]
            ).delete()
            counts.deleted += deleted
        advance_next_runs(workspace=workspace, now=timezone.now())
        return _finish(run, Status.SUCCEEDED, fetch=fetch, counts=counts)


def _apply_page(
    workspace: Workspace, page: list[ParsedSchedule], now: datetime, counts: _Counts
) -> None:
    """One SELECT of the page's stored fingerprints, one upsert of what changed."""
    if not page:
        return
    stored = dict(
        Schedule.objects.filter(
            workspace=workspace, aac_id__in=[p.aac_id for p in page]
        ).values_list("aac_id", "fingerprint")
    )
    rows = []
    for parsed in page:
        known = stored.get(parsed.aac_id)
        if known == parsed.fingerprint:
            counts.unchanged += 1
            continue
        if known is None:
            counts.created += 1
        else:
            counts.updated += 1
        rows.append(
            Schedule(
                workspace=workspace,
                aac_id=parsed.aac_id,
                fingerprint=parsed.fingerprint,
                synced_at=now,
                **parsed.fields,
            )
        )
    if rows:
        Schedule.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["workspace", "aac_id"],
            update_fields=UPSERT_FIELDS,
        )
