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

from schedules.coverage import Coverage, coverage_of
from schedules.models import Person, SyncRun
from schedules.queries import Summary, latest_sync_run
from workspaces import access
from workspaces.models import Connection, ConnectionTask, Workspace
from workspaces.standing import Standing, standing
from workspaces.tokens.problems import REAUTH_HELP


@dataclass
class Card:
    workspace: Workspace
    standing: Standing
    coverage: Coverage
    counts: dict[str, int] = field(default_factory=dict)  # from the Summary
    latest: SyncRun | None = None  # the newest run, whatever its status
    last_success: SyncRun | None = None  # what the cached data comes from
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
    workspaces = list(
        workspaces.annotate(
            latest_run_id=latest_sync_run(),
            last_success_run_id=latest_sync_run(status=SyncRun.Status.SUCCEEDED),
        ).prefetch_related("connections")
    )
    run_ids = {ws.latest_run_id for ws in workspaces}
    run_ids |= {ws.last_success_run_id for ws in workspaces}
    runs = SyncRun.objects.in_bulk(run_ids - {None})
    coverage = coverage_of(workspaces)
    # One reverse() for all the cards: each call costs tens of microseconds.
    url = reverse("pages:workspace", args=[0]).replace("/0/", "/{}/")
    return [
        Card(
            workspace=ws,
            standing=standing(ws.connections.all()),
            coverage=coverage[ws.pk],
            counts=summary.by_workspace.get(ws.pk, {}),
            latest=runs.get(ws.latest_run_id),
            last_success=runs.get(ws.last_success_run_id),
            can_operate=ws.pk in operable,
            url=url.format(ws.pk),
            warnings=[
                warning
                for connection in ws.connections.all()
                for warning in token_warnings(connection, now=now)
            ],
            failed_runs=(failed_runs or {}).get(ws.pk, 0),
        )
        for ws in workspaces
    ]


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


def person_names(workspace: Workspace) -> dict[str, str]:
    """AAC person id → how to name them, from the cached people list."""
    return {
        str(person.aac_id): str(person)
        for person in Person.objects.filter(workspace=workspace).only(
            "aac_id", "name", "email"
        )
    }


def connection_rows(workspace: Workspace, user) -> list[ConnectionRow]:
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
        )
        for c in connections
    ]
