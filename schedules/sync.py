"""Sync one workspace's schedules from AAC into the cache, and record the run.

Fetch every page first (through `call_aac`), parse it, compare it with the
stored fingerprints and spool what is new or changed to a temporary file, so
memory holds one page of schedules whatever the workspace's size (plus the
ids and fingerprints, some 200 bytes a schedule). Check the fetch was
consistent, then apply it in one transaction: one upsert per page that has
changes; unchanged rows are not written; what AAC no longer lists (and a
second read confirms) is deleted. Any failure before the transaction commits
leaves the last good cache as it was, and the run says why (RELIABILITY 9).

Next run times are computed when a schedule is written, and recomputed here,
at the end of every sync, for the rows whose next run has passed (the beat
syncs every workspace every AAC_SYNC_INTERVAL_MINUTES).
"""

import json
import logging
import pickle
import random
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
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

# Full reads of AAC's list per sync, at most: one, one more when the first
# was inconsistent, one more to confirm deletions (see `_fetch`).
READ_ATTEMPTS = 3
# Celery retries of unavailable and rate-limited syncs: full-jitter
# exponential backoff from this base, never sooner than AAC's x-retry-after.
RETRY_BASE_SECONDS = 30
# Rows per DELETE and per next-run UPDATE batch.
BATCH_SIZE = 500


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
        # Refused at the claim, the run never ran: write only if it is still
        # queued, never over a run another task has taken meanwhile.
        SyncRun.objects.filter(pk=run.pk, status=Status.QUEUED).update(
            **{name: getattr(run, name) for name in fields}
        )
        return run
    if fetch is not None:
        run.pages_fetched = fetch.pages
        run.schedules_seen = len(fetch.seen)
        run.unparsed, run.ignored = fetch.unparsed, fetch.ignored
        fields += ["pages_fetched", "schedules_seen", "unparsed", "ignored"]
    if fetch is not None and status == Status.SUCCEEDED:
        run.created, run.updated = fetch.created, fetch.updated
        run.unchanged = fetch.unchanged
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
    """Pages of rows to write, in a temporary file: memory holds one at a time.

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

    def write(self, page: list[tuple]) -> None:
        pickle.dump(page, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.pages += 1

    def __iter__(self) -> Iterator[list[tuple]]:
        self.file.seek(0)
        for _ in range(self.pages):
            yield pickle.load(self.file)  # noqa: S301 - our own file, see above


@dataclass
class _Fetch:
    workspace: Workspace
    spool: _Spool
    now: datetime
    # The cache before the sync: AAC id -> fingerprint.
    stored: dict[int, str] = field(default_factory=dict)
    pages: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    seen: set[int] = field(default_factory=set)
    repeated: set[int] = field(default_factory=set)
    unparsed: int = 0
    ignored: int = 0
    count_before: int = 0
    count_after: int = 0
    # Stored ids to delete: missed by two consistent reads in a row.
    gone: set[int] = field(default_factory=set)

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
        """One full pass over AAC's list (called by `call_aac`, maybe again).

        Each page is parsed and compared with the stored fingerprints (read
        before: no other sync of this workspace can write meanwhile), and only
        new or changed schedules are spooled, as rows ready for `_UPSERT`.
        """
        self.spool.reset()
        self.pages = self.unparsed = self.ignored = 0
        self.created = self.updated = self.unchanged = 0
        self.seen, self.repeated = set(), set()
        self.count_before = client.count_schedules()
        for items in client.iter_schedule_pages():
            page = []
            for item in items:
                parsed = parse_schedule(item, now=self.now)
                if parsed is None:
                    self.ignored += 1
                elif parsed.aac_id in self.seen:
                    self.repeated.add(parsed.aac_id)
                else:
                    self.seen.add(parsed.aac_id)
                    self.unparsed += bool(parsed.problems)
                    page.append(parsed)
            self.spool.write(self._changed_rows(page))
            self.pages += 1
        self.count_after = client.count_schedules()
        return self

    def _changed_rows(self, page: list[ParsedSchedule]) -> list[tuple]:
        rows = []
        for parsed in page:
            known = self.stored.get(parsed.aac_id)
            if known == parsed.fingerprint:
                self.unchanged += 1
                continue
            if known is None:
                self.created += 1
            else:
                self.updated += 1
            rows.append(_UPSERT.values(self.workspace, parsed, synced_at=self.now))
        return rows


def _fetch(workspace: Workspace, spool: _Spool) -> _Fetch:
    """Read AAC's list until it is consistent and its deletions are confirmed.

    A read whose count changed or that listed an id twice is read again. A
    consistent read can still have skipped a schedule, when one was removed
    and another added between two pages (offset paging shifts, the count
    stays): so a stored schedule missing from the list is deleted only when
    two consistent reads in a row miss it. In the steady state (nothing
    deleted in AAC) that costs no second read. Deletions still unconfirmed
    after READ_ATTEMPTS reads wait for the next sync.
    """
    stored = Schedule.objects.filter(workspace=workspace)
    fetch = _Fetch(
        workspace=workspace,
        spool=spool,
        now=timezone.now(),
        stored=dict(stored.values_list("aac_id", "fingerprint")),
    )
    missing_before = None
    for attempt in range(1, READ_ATTEMPTS + 1):
        fetch.now = timezone.now()
        call_aac(workspace, fetch.read)
        if fetch.inconsistency:
            logger.info(
                "Workspace %s: read %s was inconsistent: %s",
                workspace.pk,
                attempt,
                fetch.inconsistency,
            )
            missing_before = None
            continue
        missing = fetch.stored.keys() - fetch.seen
        if not missing or missing_before is not None:
            fetch.gone = missing if missing_before is None else missing & missing_before
            return fetch
        missing_before = missing
    if missing_before is not None and not fetch.inconsistency:
        logger.info(
            "Workspace %s: %s deletions not confirmed; left to the next sync",
            workspace.pk,
            len(missing_before),
        )
    return fetch


# ---------------------------------------------------------------------------
# Applying
# ---------------------------------------------------------------------------


def _apply(workspace: Workspace, run: SyncRun, fetch: _Fetch) -> SyncRun:
    with transaction.atomic():
        for rows in fetch.spool:
            _UPSERT.run(rows)
        run.deleted = 0
        gone = sorted(fetch.gone)
        for start in range(0, len(gone), BATCH_SIZE):
            deleted, _ = Schedule.objects.filter(
                workspace=workspace, aac_id__in=gone[start : start + BATCH_SIZE]
            ).delete()
            run.deleted += deleted
        advance_next_runs(workspace=workspace, now=timezone.now())
        return _finish(run, Status.SUCCEEDED, fetch=fetch)


class _Upsert:
    """One INSERT ... ON CONFLICT (workspace, AAC id) DO UPDATE per page.

    Django's bulk_create(update_conflicts=True) writes the same statement but
    compiles every one of a page's 27,000 values through the ORM (most of a
    full sync's time), and on SQLite splits a page into some 25 statements to
    stay under 999 parameters. Here values go as they are (text, numbers,
    booleans, `raw` as the JSON text the parser made), dates adapted as Django
    would: on SQLite as rows for executemany; on PostgreSQL, whose driver
    quotes each value in Python, as one JSON document the server unpacks
    (json_populate_recordset), which takes a tenth of the time.
    """

    def __init__(self) -> None:
        self.fields = [f for f in Schedule._meta.concrete_fields if not f.primary_key]
        self.columns = [f.column for f in self.fields]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.dates = [
            i for i, f in enumerate(self.fields) if isinstance(f, models.DateTimeField)
        ]

    def values(self, workspace: Workspace, parsed: ParsedSchedule, **extra) -> tuple:
        """A row in column order."""
        row = self.defaults | parsed.fields | extra
        row |= {"workspace_id": workspace.pk, "aac_id": parsed.aac_id}
        row |= {"fingerprint": parsed.fingerprint, "raw": parsed.raw_json}
        return tuple(row[f.attname] for f in self.fields)

    def run(self, rows: list[tuple]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(self.sql(json_rows=True), [self._json_rows(rows)])
            else:
                cursor.executemany(self.sql(json_rows=False), self._adapted(rows))

    def _adapted(self, rows: list[tuple]) -> list[list]:
        adapt = connection.ops.adapt_datetimefield_value
        adapted = []
        for row in rows:
            row = list(row)
            for i in self.dates:
                row[i] = adapt(row[i])
            adapted.append(row)
        return adapted

    def _json_rows(self, rows: list[tuple]) -> str:
        """A JSON array of row objects; `raw` spliced in as the JSON it is."""
        objects = []
        for row in rows:
            values = dict(zip(self.columns, row, strict=True))
            raw = values.pop("raw")
            for i in self.dates:
                if row[i] is not None:
                    values[self.columns[i]] = row[i].isoformat()
            objects.append(f'{json.dumps(values)[:-1]},"raw":{raw}}}')
        return f"[{','.join(objects)}]"

    def sql(self, *, json_rows: bool) -> str:
        quote = connection.ops.quote_name
        table = quote(Schedule._meta.db_table)
        columns = ", ".join(quote(c) for c in self.columns)
        key = [
            quote(Schedule._meta.get_field(n).column) for n in ("workspace", "aac_id")
        ]
        updates = ", ".join(
            f"{quote(c)} = EXCLUDED.{quote(c)}"
            for c in self.columns
            if quote(c) not in key
        )
        if json_rows:
            rows = f"json_populate_recordset(NULL::{table}, %s)"
            source = f"SELECT {columns} FROM {rows}"  # noqa: S608 (see below)
        else:
            source = f"VALUES ({', '.join(['%s'] * len(self.columns))})"
        # Identifiers come from the model, quoted; every value is a parameter.
        return (
            f"INSERT INTO {table} ({columns}) {source} "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
        )


_UPSERT = _Upsert()
