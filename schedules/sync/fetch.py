"""Reading a kind's list from AAC until it is consistent, and spooling what changed.

Every page is parsed as it arrives and compared with the stored fingerprints,
and only new or changed objects are spooled, as rows ready for the upsert, so
memory holds one page whatever the workspace's size (plus the keys and
fingerprints, some 200 bytes an object). Unchanged rows are never written.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from aac import AACClient
from schedules.models import KindCounts
from schedules.sync.apply import Changes, Upsert
from schedules.sync.kinds import Kind, ParsedItem, Scope
from schedules.sync.runs import Heartbeat
from schedules.sync.spool import Spool
from workspaces.connection import call_aac
from workspaces.models import Workspace

logger = logging.getLogger(__name__)

# Full reads of a list per sync, at most: one, one more when the first was
# inconsistent, one more to confirm deletions (see `fetch`).
READ_ATTEMPTS = 3


@dataclass
class Read:
    """One kind's list as read from AAC: the pass in progress, or the last one."""

    kind: Kind
    workspace: Workspace
    spool: Spool
    heartbeat: Heartbeat
    # What this sync reads of the kind (the whole list, or a window of it).
    scope: Scope
    # The cache before the sync, in the scope: key -> fingerprint.
    stored: dict[int, str]
    now: datetime = field(default_factory=timezone.now)
    counts: KindCounts = field(default_factory=KindCounts)
    seen: set[int] = field(default_factory=set)
    repeated: set[int] = field(default_factory=set)
    count_before: int | None = None
    count_after: int | None = None

    @property
    def inconsistency(self) -> str:
        """Why this read is not a consistent picture of AAC's list, or ""."""
        name, problems = self.kind.name, []
        if self.count_before != self.count_after:
            problems.append(
                f"AAC's count changed from {self.count_before} to "
                f"{self.count_after} while the list was read"
            )
        if self.repeated:
            some = ", ".join(str(i) for i in sorted(self.repeated)[:5])
            problems.append(f"{len(self.repeated)} {name} listed twice ({some})")
        listed = len(self.seen) + self.counts.ignored
        if not problems and self.count_after not in (None, listed):
            problems.append(f"{listed} {name} listed but AAC counts {self.count_after}")
        return "; ".join(problems)

    def read(self, client: AACClient) -> "Read":
        """One full pass over AAC's list (called by `call_aac`, maybe again).

        The stored fingerprints were read before the first pass: no other
        sync of this workspace can write meanwhile.
        """
        self.spool.reset()
        self.counts, self.seen, self.repeated = KindCounts(), set(), set()
        self.now = timezone.now()
        count = self.kind.count
        self.count_before = count(client) if count else None
        for items in self.scope.list_pages(client):
            page = []
            for item in items:
                parsed = self.kind.parse(item, now=self.now)
                if parsed is None:
                    self.counts.ignored += 1
                elif parsed.aac_id in self.seen:
                    self.repeated.add(parsed.aac_id)
                else:
                    self.seen.add(parsed.aac_id)
                    self.counts.unparsed += bool(parsed.problems)
                    page.append(parsed)
            self.spool.write(self._changed_rows(page))
            self.counts.pages += 1
            self.heartbeat.page()
        self.count_after = count(client) if count else None
        self.counts.seen = len(self.seen)
        return self

    def _changed_rows(self, page: list[ParsedItem]) -> list[tuple]:
        upsert, rows = Upsert.of(self.kind), []
        for parsed in page:
            known = self.stored.get(parsed.aac_id)
            if known == parsed.fingerprint:
                self.counts.unchanged += 1
                continue
            if known is None:
                self.counts.created += 1
            else:
                self.counts.updated += 1
            rows.append(upsert.row(self.workspace, parsed, synced_at=self.now))
        return rows


def fetch(
    kind: Kind, workspace: Workspace, spool: Spool, heartbeat: Heartbeat
) -> tuple[Read, Changes | None]:
    """Read AAC's list until it is consistent and its deletions are confirmed.

    Returns the last read, and what it leaves to apply (None when no read was
    consistent). A read whose count changed or that listed an id twice is
    read again. A consistent read can still have skipped an object, when one
    was removed and another added between two pages (offset paging shifts,
    the count stays): so, for a kind that deletes what AAC stops listing, a
    stored object missing from the list is deleted only when two consistent
    reads in a row miss it. In the steady state (nothing deleted in AAC) that
    costs no second read. Deletions still unconfirmed after READ_ATTEMPTS
    reads wait for the next sync.
    """
    scope = kind.scope(workspace)
    read = Read(
        kind=kind,
        workspace=workspace,
        spool=spool,
        heartbeat=heartbeat,
        scope=scope,
        stored=dict(scope.stored.values_list(kind.key, "fingerprint")),
    )
    missing_before = None
    for attempt in range(1, READ_ATTEMPTS + 1):
        call_aac(workspace, read.read)
        if read.inconsistency:
            logger.info(
                "Workspace %s: read %s of its %s was inconsistent: %s",
                workspace.pk,
                attempt,
                kind.name,
                read.inconsistency,
            )
            missing_before = None
            continue
        missing = read.stored.keys() - read.seen if kind.deletes_missing else set()
        if not missing or missing_before is not None:
            gone = missing if missing_before is None else missing & missing_before
            return read, Changes(kind, spool, gone, read.counts)
        missing_before = missing
    if read.inconsistency:
        return read, None
    logger.info(
        "Workspace %s: %s deletions of %s not confirmed; left to the next sync",
        workspace.pk,
        len(missing_before),
        kind.name,
    )
    return read, Changes(kind, spool, set(), read.counts)
