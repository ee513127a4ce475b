"""Which of a user's workspaces the portal sees only part of.

Pages that list across workspaces (the runs, the plans, flows and workflows)
name them, as the dashboard's totals do: a partial view of a workspace (the
schedules, assets and runs of its connected people only) is never shown as
the whole of it (`schedules.coverage`).
"""

from collections import defaultdict

from schedules import summaries
from schedules.coverage import Extent, coverage_of, measure
from workspaces import access
from workspaces.access import User
from workspaces.models import Connection

# What `schedules.coverage.measure` reads of a connection.
CONNECTION_FIELDS = (
    "workspace_id",
    "slot",
    "listed_at",
    "aac_person_id",
    "person_name",
    "person_email",
)


def partially_seen(user: User) -> list[str]:
    """The names of the visible workspaces whose view is partial.

    Measured first without their people: no connection, no sync yet or a
    connection that lists other owners' schedules settle it whoever the
    people are. Only a workspace that looks partial then has its people read
    (every person connected makes it complete): at a thousand workspaces,
    their people are most of the rows a page would read.
    """
    workspaces = list(access.visible_workspaces(user).only("pk", "name"))
    ids = [ws.pk for ws in workspaces]
    # What coverage reads of the schedules, as their last sync counted it.
    rows = summaries.coverage_rows(ids)
    connections = defaultdict(list)
    for connection in Connection.objects.filter(workspace_id__in=ids).only(
        *CONNECTION_FIELDS
    ):
        connections[connection.workspace_id].append(connection)
    found = {
        ws.pk: measure(connections[ws.pk], [], rows.get(ws.pk, [])) for ws in workspaces
    }
    unsettled = [ws for ws in workspaces if found[ws.pk].extent == Extent.PARTIAL]
    found |= coverage_of(unsettled, rows=rows)
    return [ws.name for ws in workspaces if found[ws.pk].partial]
