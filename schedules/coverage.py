"""How much of a workspace the portal sees: the one place that says it.

AAC lists each token user's own schedules (docs/aac-api.md, Schedules), so
the cache of a workspace is complete only when some working connection lists
other owners' schedules too, or when every person of the workspace has a
working connection. Otherwise it holds the schedules of N of M people, and
says who is missing; a page never presents it as the whole workspace. Rows
that only failing connections list are counted apart, as last confirmed when
those connections last worked.

"Working" means listed by the last sync that applied anything: the
connections whose `listed_at` is the latest of the workspace's.
Computed for many workspaces in three queries (connections, people, and the
schedules grouped by connection mask and owner, from an index alone).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.db.models import Count

from schedules.models import Person, Schedule
from workspaces.models import Connection, Workspace

# People named in "missing: ..." before "and N more".
NAMED = 8


class Extent:
    UNKNOWN = "unknown"  # no sync has applied anything yet
    NONE = "none"  # no connection at all
    COMPLETE = "complete"
    PARTIAL = "partial"


class PersonRow(NamedTuple):
    """What coverage reads of a cached person: a tuple, not a model instance,
    since a page across workspaces reads the people of a thousand of them."""

    aac_id: int
    name: str
    email: str
    disabled: bool

    __str__ = Person.__str__


@dataclass
class Coverage:
    extent: str
    # People in AAC's people list (0 before a sync read it).
    people: int = 0
    # People whose schedules the portal sees: a working connection is theirs.
    visible: list[str] = field(default_factory=list)
    # People without a working connection, "(disabled)" marked.
    missing: list[str] = field(default_factory=list)
    # Working connections that list other owners' schedules too.
    wide: list[str] = field(default_factory=list)
    # Schedules only connections that failed since list, and when they were
    # last confirmed (the latest of those connections' lists).
    unconfirmed: int = 0
    confirmed_at: datetime | None = None
    unconfirmed_by: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.extent == Extent.COMPLETE

    @property
    def partial(self) -> bool:
        """Known to hold only some owners' schedules."""
        return self.extent in (Extent.PARTIAL, Extent.NONE)

    @property
    def summary(self) -> str:
        """One line for a card: what the cached schedules are of."""
        if self.extent == Extent.NONE:
            return "No connection: nothing is visible."
        if self.extent == Extent.UNKNOWN:
            return "Coverage unknown until the first sync."
        if self.extent == Extent.COMPLETE:
            if self.wide:
                return f"Complete: {self.wide[0]} lists every owner's schedules."
            return "Complete: every person has a working connection."
        n = self.people or len(self.visible)
        of = f"{len(self.visible)} of {n}" if self.people else f"{n}"
        people = "person" if n == 1 else "people"
        return f"Partial: the schedules of {of} {people} are visible."

    @property
    def missing_line(self) -> str:
        if not self.missing:
            return ""
        named = ", ".join(self.missing[:NAMED])
        more = len(self.missing) - NAMED
        return f"Missing: {named}" + (f" and {more} more." if more > 0 else ".")


def coverage_of(
    workspaces: Iterable[Workspace],
    *,
    rows: dict[int, list[tuple[int, str, int]]] | None = None,
) -> dict[int, Coverage]:
    """Each workspace's coverage, by id; the workspaces' connections are read
    here (secrets deferred), whatever was prefetched. `rows`: the workspaces'
    `owner_rows`, when the caller has them (from their summaries)."""
    ids = [workspace.pk for workspace in workspaces]
    connections = defaultdict(list)
    for connection in Connection.objects.filter(workspace_id__in=ids):
        connections[connection.workspace_id].append(connection)
    people = defaultdict(list)
    found = (
        Person.objects.filter(workspace_id__in=ids)
        .order_by()
        .values_list("workspace_id", *PersonRow._fields)
    )
    # In the people list's order (name, then AAC id), sorted here: the
    # database would sort every row of every workspace asked for.
    for workspace_id, *row in sorted(found, key=lambda r: (r[0], r[2], r[1])):
        people[workspace_id].append(PersonRow(*row))
    if rows is None:
        rows = owner_rows(ids)
    return {pk: measure(connections[pk], people[pk], rows.get(pk, [])) for pk in ids}


def owner_rows(ids: list[int]) -> dict[int, list[tuple[int, str, int]]]:
    """The workspaces' schedules counted per (`seen_by`, owner id): what their
    coverage reads of them."""
    rows = defaultdict(list)
    grouped = (
        Schedule.objects.filter(workspace_id__in=ids)
        .order_by()
        .values_list("workspace_id", "seen_by", "owner_id")
        .annotate(n=Count("workspace"))
    )
    for workspace_id, mask, owner_id, n in grouped:
        rows[workspace_id].append((mask, owner_id, n))
    return rows


def measure(
    connections: list[Connection],
    people: list[Person | PersonRow],
    rows: list[tuple[int, str, int]],
) -> Coverage:
    """The coverage of one workspace from its connections, its people, and its
    schedules counted per (`seen_by`, owner id)."""
    if not connections:
        return Coverage(Extent.NONE, people=len(people))
    latest = max((c.listed_at for c in connections if c.listed_at), default=None)
    if latest is None:
        return Coverage(Extent.UNKNOWN, people=len(people))
    working = [c for c in connections if c.listed_at == latest]
    working_bits = sum(c.bit for c in working)
    coverage = Coverage(Extent.PARTIAL, people=len(people))
    coverage.wide = [c.person for c in working if _lists_others(c, rows)]
    _count_unconfirmed(coverage, connections, rows, working_bits)
    connected = {c.aac_person_id for c in working if c.aac_person_id}
    coverage.visible = [str(p) for p in people if str(p.aac_id) in connected]
    coverage.visible += [
        c.person
        for c in working
        if c.aac_person_id not in {str(p.aac_id) for p in people}
    ]
    coverage.missing = [
        f"{p} (disabled)" if p.disabled else str(p)
        for p in people
        if str(p.aac_id) not in connected
    ]
    if coverage.wide or (people and not coverage.missing):
        coverage.extent = Extent.COMPLETE
    return coverage


def _lists_others(connection: Connection, rows: list[tuple[int, str, int]]) -> bool:
    """Whether the connection lists schedules of owners besides its own person:
    of another owner than its person, or (its person unknown) of two owners.
    Schedules without a known owner say nothing either way."""
    owners = {owner for mask, owner, _ in rows if mask & connection.bit and owner}
    if connection.aac_person_id:
        return bool(owners - {connection.aac_person_id})
    return len(owners) > 1


def _count_unconfirmed(
    coverage: Coverage,
    connections: list[Connection],
    rows: list[tuple[int, str, int]],
    working_bits: int,
) -> None:
    stale_masks = {mask for mask, _, _ in rows if mask and not mask & working_bits}
    coverage.unconfirmed = sum(n for mask, _, n in rows if mask in stale_masks)
    holders = [c for c in connections if any(mask & c.bit for mask in stale_masks)]
    coverage.unconfirmed_by = [c.person for c in holders]
    coverage.confirmed_at = max(
        (c.listed_at for c in holders if c.listed_at), default=None
    )
