"""Reading a kind's list through one connection until it is consistent, and spooling
what changed.

Every page is parsed as it arrives and compared with the stored fingerprints,
and only new or changed objects are spooled, as rows ready for the upsert, so
memory holds one page whatever the workspace's size (plus the keys and
fingerprints, some 200 bytes an object). Unchanged rows are never written.
Each connection reads into a spool of its own: what a connection that fails
read is never applied (docs/reliability.md rule 9).
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from aac import AACClient
from schedules.models import KindCounts
from schedules.sync.kinds import Identity, Kind, ParsedItem
from schedules.sync.runs import Heartbeat
from schedules.sync.spool import Spool
from schedules.sync.upsert import Upsert
from workspaces.connection import call_aac
from workspaces.models import Connection, Workspace

logger = logging.getLogger(__name__)

# Full reads of a list per connection and sync, at most: one, one more when
# the first was inconsistent, one more to confirm deletions (see `fetch`).
READ_ATTEMPTS = 3


@dataclass
class Stored:
    """A kind's cache before the sync: key -> fingerprint, and key -> `seen_by`,
    of the rows this sync reads again; and how it lists them (`Kind.scope`:
    the whole list and every row, or a window of an ever-growing one).

    Read once per sync and kind: no other sync of the workspace can write
    meanwhile, and every connection reads the same window.
    """

    fingerprints: dict[int, str]
    masks: dict[int, int]
    list_pages: Callable[[AACClient], Iterable[list]]
    # Stored keys the parser did not fully understand (kinds that `identify`).
    unparsed: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, kind: Kind, workspace: Workspace) -> "Stored":
        scope = kind.scope(workspace)
        flag = "unparsed" if kind.identify is not None else "seen_by"
        rows = scope.stored.values_list(kind.key, "fingerprint", "seen_by", flag)
        fingerprints, masks, unparsed = {}, {}, set()
        for key, fingerprint, mask, problem in rows.iterator(chunk_size=5000):
            fingerprints[key] = fingerprint
            masks[key] = mask
            if problem is True:
                unparsed.add(key)
        return cls(fingerprints, masks, scope.list_pages, unparsed)

    def listed_by(self, connection: Connection) -> set[int]:
        """The stored keys the connection listed last time."""
        bit = connection.bit
        return {key for key, mask in self.masks.items() if mask & bit}


@dataclass
class Read:
    """One kind's list as read through one connection: the pass in progress, or
    the last one."""

    kind: Kind
    workspace: Workspace
    spool: Spool
    heartbeat: Heartbeat
    stored: Stored
    now: datetime = field(default_factory=timezone.now)
    counts: KindCounts = field(default_factory=KindCounts)
    seen: set[int] = field(default_factory=set)
    repeated: set[int] = field(default_factory=set)
    # Keys the parser did not fully understand (to count each once in a union).
    unparsed: set[int] = field(default_factory=set)
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
        """One full pass over AAC's list (called by `call_aac`, maybe again)."""
        self.spool.reset()
        self.counts, self.seen, self.repeated = KindCounts(), set(), set()
        self.unparsed = set()
        self.now = timezone.now()
        count = self.kind.count
        self.count_before = count(client) if count else None
        read_item = self._identified if self.kind.identify else self._parsed
        for items in self.stored.list_pages(client):
            page = []
            for item in items:
                identity = read_item(item)
                if identity is None:
                    self.counts.ignored += 1
                elif identity.aac_id in self.seen:
                    self.repeated.add(identity.aac_id)
                else:
                    self.seen.add(identity.aac_id)
                    if self.stored.fingerprints.get(identity.aac_id) == (
                        identity.fingerprint
                    ):
                        if identity.aac_id in self.stored.unparsed:
                            self.unparsed.add(identity.aac_id)
                        continue
                    parsed = self._parse(item, identity)
                    if parsed.problems:
                        self.unparsed.add(parsed.aac_id)
                    page.append(parsed)
            self.spool.write(Upsert.of(self.kind).rows(self.workspace, page, self.now))
            self.counts.pages += 1
            self.heartbeat.page()
        self.count_after = count(client) if count else None
        self.counts.seen = len(self.seen)
        self.counts.unparsed = len(self.unparsed)
        return self

    def _identified(self, item: object) -> Identity | None:
        return self.kind.identify(item)

    def _parsed(self, item: object) -> ParsedItem | None:
        # A kind that cannot identify an item unparsed is parsed whole first.
        return self.kind.parse(item, now=self.now)

    def _parse(self, item: object, identity: Identity | ParsedItem) -> ParsedItem:
        """The new or changed item, parsed (once)."""
        if self.kind.identify is None:
            return identity
        return self.kind.parse(item, now=self.now, identity=identity)


@dataclass
class Listing:
    """What a connection listed of a kind, read consistently: the keys it
    lists, and of the stored keys it listed before, those it no longer lists
    (`gone`, confirmed by a second read) and those whose absence is not yet
    confirmed (`unconfirmed`: kept for now)."""

    read: Read
    gone: set[int]
    unconfirmed: set[int]


def fetch(
    kind: Kind,
    connection: Connection,
    stored: Stored,
    spool: Spool,
    heartbeat: Heartbeat,
) -> tuple[Read, Listing | None]:
    """Read AAC's list through `connection` until it is consistent and what it
    stopped listing is confirmed.

    Returns the last read, and the listing (None when no read was
    consistent). A read whose count changed or that listed an id twice is
    read again. A consistent read can still have skipped an object, when one
    was removed and another added between two pages (offset paging shifts,
    the count stays): so, for a kind that deletes what AAC stops listing, a
    key the connection listed before and misses now counts as gone only when
    two consistent reads in a row miss it. In the steady state (nothing
    deleted in AAC) that costs no second read. Absences still unconfirmed
    after READ_ATTEMPTS reads wait for the next sync.
    """
    workspace = connection.workspace
    read = Read(
        kind=kind, workspace=workspace, spool=spool, heartbeat=heartbeat, stored=stored
    )
    listed_before = stored.listed_by(connection) if kind.deletes_missing else set()
    missing_before = None
    for attempt in range(1, READ_ATTEMPTS + 1):
        call_aac(connection, read.read)
        if read.inconsistency:
            logger.info(
                "Connection %s: read %s of its %s was inconsistent: %s",
                connection.pk,
                attempt,
                kind.name,
                read.inconsistency,
            )
            missing_before = None
            continue
        missing = listed_before - read.seen
        if not missing or missing_before is not None:
            gone = missing if missing_before is None else missing & missing_before
            return read, Listing(read, gone=gone, unconfirmed=missing - gone)
        missing_before = missing
    if read.inconsistency:
        return read, None
    logger.info(
        "Connection %s: %s absences of %s not confirmed; left to the next sync",
        connection.pk,
        len(missing_before),
        kind.name,
    )
    return read, Listing(read, gone=set(), unconfirmed=missing_before)
