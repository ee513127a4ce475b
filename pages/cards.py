"""What the portal says about each workspace and connection: state, coverage, last
sync, token warnings.

Loaded for all visible workspaces at once (a fixed number of queries), and
never with the encrypted token columns (the connection manager defers them):
pages have no use for the secrets.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from schedules import summaries
from schedules.coverage import Coverage, coverage_of
from schedules.health import (
    Health,
    SyncFacts,
    health,
    next_automatic_sync,
    sync_facts,
    sync_interval,
    with_sync_runs,
)
from schedules.models import ConnectionReport, Person, SyncRun
from schedules.queries import Summary
from workspaces import access
from workspaces.models import Connection, ConnectionTask, Workspace
from workspaces.standing import Standing, standing
from workspaces.tokens.problems import REAUTH_HELP


@dataclass
class Card:
    workspace: Workspace
    standing: Standing
    coverage: Coverage
    health: Health  # what its badge says: never green while syncs fail
    facts: SyncFacts = field(default_factory=SyncFacts)
    counts: dict[str, int] = field(default_factory=dict)  # from the Summary
    # When beat queues its next sync (a retry's time while one waits).
    next_sync: datetime | None = None
    can_operate: bool = False
    url: str = ""
    warnings: list[str] = field(default_factory=list)
    # Its runs failed in the last 24 h (pages.failures).
    failed_runs: int = 0

    @property
    def counts_line(self) -> str:
        """The schedules counted, never presented as the whole workspace when the
        coverage is partial."""
        n = self.counts.get("schedules", 0)
        line = f"{n:,} schedule{'s' * (n != 1)}"
        if self.coverage.partial:
            line += " (partial view)"
        if n:
            line += (
                f" · {self.counts['enabled']:,} enabled"
                f" · {self.counts['next_24h']:,} in the next 24 h"
            )
        return line

    @property
    def sync_interval(self) -> int:
        """Minutes between beat's syncs."""
        return int(sync_interval().total_seconds() // 60)

    @property
    def latest(self) -> SyncRun | None:
        """The newest run, whatever its status."""
        return self.facts.latest

    @property
    def last_success(self) -> SyncRun | None:
        """What the cached data comes from."""
        return self.facts.last_success

    @property
    def active(self) -> SyncRun | None:
        return self.latest if self.latest and self.latest.is_active else None


def token_warnings(connection: Connection, *, now: datetime) -> list[str]:
    if not connection.refresh_token_expires_soon(now):
        return []
    expires = connection.refresh_token_expires_at
    who = connection.person
    if expires <= now:
        return [f"The refresh token of {who} expired. {REAUTH_HELP}"]
    days = (expires - now).days
    left = "less than a day" if days < 1 else f"{days} day{'s' * (days != 1)}"
    return [f"The refresh token of {who} expires in {left}. {REAUTH_HELP}"]


def workspace_cards(
    workspaces: QuerySet[Workspace],
    *,
    summary: Summary,
    operable: set[int],
    now: datetime,
    failed_runs: dict[int, int] | None = None,
) -> list[Card]:
    """One card per workspace; a fixed number of queries whatever their number."""
    workspaces = list(with_sync_runs(workspaces).prefetch_related("connections"))
    facts = sync_facts(workspaces)
    # What coverage reads of the schedules, as their last sync counted it.
    ids = [ws.pk for ws in workspaces]
    coverage = coverage_of(workspaces, rows=summaries.coverage_rows(ids))
    # One reverse() for all the cards: each call costs tens of microseconds.
    url = reverse("pages:workspace", args=[0]).replace("/0/", "/{}/")
    cards = []
    for ws in workspaces:
        state = standing(ws.connections.all())
        cards.append(
            Card(
                workspace=ws,
                standing=state,
                coverage=coverage[ws.pk],
                health=health(state, facts[ws.pk], now=now),
                facts=facts[ws.pk],
                counts=summary.by_workspace.get(ws.pk, {}),
                next_sync=next_automatic_sync(ws, facts[ws.pk], now=now),
                can_operate=ws.pk in operable,
                url=url.format(ws.pk),
                warnings=[
                    warning
                    for connection in ws.connections.all()
                    for warning in token_warnings(connection, now=now)
                ],
                failed_runs=(failed_runs or {}).get(ws.pk, 0),
            )
        )
    return cards


@dataclass
class ConnectionRow:
    """A connection as its workspace's connections page shows it."""

    connection: Connection
    # Its person, named from the cached people list when the connection was
    # added after the last sync named it.
    person: str
    can_operate: bool
    can_remove: bool
    last_task: ConnectionTask | None
    warnings: list[str]
    # What it did in the workspace's last finished sync; None if it took no part.
    last_sync: ConnectionReport | None = None


def person_names(workspace: Workspace) -> dict[str, str]:
    """AAC person id → how to name them, from the cached people list."""
    return {
        str(person.aac_id): str(person)
        for person in Person.objects.filter(workspace=workspace).only(
            "aac_id", "name", "email"
        )
    }


def connection_rows(
    workspace: Workspace, user, *, last_sync: SyncRun | None = None
) -> list[ConnectionRow]:
    """`last_sync`: the workspace's last finished sync, whose report on each
    connection the rows show."""
    reports = {
        r.connection: r for r in (last_sync.connection_reports if last_sync else [])
    }
    latest = ConnectionTask.objects.filter(connection=OuterRef("pk")).order_by(
        "-queued_at", "-id"
    )
    connections = list(
        workspace.connections.select_related("added_by").annotate(
            last_task_id=Subquery(latest.values("id")[:1])
        )
    )
    tasks = ConnectionTask.objects.in_bulk(
        [c.last_task_id for c in connections if c.last_task_id]
    )
    operable = access.may_operate(user, workspace)
    now = timezone.now()
    people = person_names(workspace)
    return [
        ConnectionRow(
            connection=c,
            person=c.person if c.person_name else people.get(c.aac_person_id, c.person),
            can_operate=operable,
            can_remove=access.may_remove_connection(user, c),
            last_task=tasks.get(c.last_task_id),
            warnings=token_warnings(c, now=now),
            last_sync=reports.get(c.pk),
        )
        for c in connections
    ]
