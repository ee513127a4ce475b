""" "Runs failed in the last 24 h": the tile of the dashboard and of a workspace
page, and each workspace card's count, linked to the runs table showing them."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import QuerySet

from pages.runs import local_input, runs_url
from schedules.assets.models import Run, RunStatus
from schedules.assets.queries import failed_since

PERIOD = timedelta(hours=24)


@dataclass(frozen=True)
class FailedRuns:
    count: int
    url: str
    by_workspace: dict[int, int] = field(default_factory=dict)


def failed_runs(
    runs: QuerySet[Run], *, now: datetime, workspace_id: int | None = None
) -> FailedRuns:
    """Failed runs created in the last 24 h among `runs` (one query)."""
    since = now - PERIOD
    by_workspace = failed_since(runs, since=since)
    url = runs_url(
        workspace=workspace_id, status=RunStatus.FAILED, start=local_input(since)
    )
    return FailedRuns(sum(by_workspace.values()), url, by_workspace)
