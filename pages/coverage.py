"""Which of a user's workspaces the portal sees only part of.

Pages that list across workspaces (the runs, the plans, flows and workflows)
name them, as the dashboard's totals do: a partial view of a workspace (the
schedules, assets and runs of its connected people only) is never shown as
the whole of it (`schedules.coverage`).
"""

from schedules import summaries
from schedules.coverage import coverage_of
from workspaces import access
from workspaces.access import User


def partially_seen(user: User) -> list[str]:
    """The names of the visible workspaces whose view is partial (four queries)."""
    workspaces = list(access.visible_workspaces(user).only("pk", "name"))
    # What coverage reads of the schedules, as their last sync counted it.
    rows = summaries.coverage_rows([ws.pk for ws in workspaces])
    coverage = coverage_of(workspaces, rows=rows)
    return [ws.name for ws in workspaces if coverage[ws.pk].partial]
