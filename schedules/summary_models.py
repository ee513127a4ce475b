"""What the dashboard reads instead of counting every cached schedule on each load.

A sync writes its workspace's `WorkspaceSummary` in the transaction that
applies its rows, and adjusts `AllWorkspaces`, the sum of every workspace's
summary, in the same transaction (`schedules.summaries`). So the dashboard's
work grows with the workspaces it shows, not with their schedules; and a
viewer who sees every workspace reads the owners and the upcoming runs from one
row. Imported by `schedules.models`, so that Django registers them.
"""

from django.db import models

from workspaces.models import Workspace


class Counted(models.Model):
    """The counts a summary holds (a workspace's, or every workspace's).

    `counts` holds the per-workspace counts of `schedules.queries.summarise`
    but the time-dependent ones; `owners` maps each owner's e-mail to
    {name: schedules}; `next_runs` counts the enabled schedules' next runs per
    quarter hour of UTC (its number since the epoch) from the quarter hour of
    `as_of` for `schedules.summaries.HORIZON`; `runs` counts every run of them
    in the same quarter hours (`schedules.load`): an every-five-minutes
    schedule is one next run, and 2,016 runs a week.
    """

    as_of = models.DateTimeField(help_text="When the counts were last written.")
    counts = models.JSONField(default=dict)
    owners = models.JSONField(default=dict)
    next_runs = models.JSONField(default=dict)
    runs = models.JSONField(default=dict)

    class Meta:
        abstract = True


class WorkspaceSummary(Counted):
    """One workspace's cached schedules, counted by its last sync that applied."""

    workspace = models.OneToOneField(
        Workspace, models.CASCADE, primary_key=True, related_name="summary"
    )
    # For sorting the dashboard's table of workspaces in the database.
    schedules = models.PositiveIntegerField(default=0)
    # [seen_by, owner id, schedules] rows: what its coverage reads of them
    # (`schedules.coverage.owner_rows`).
    owner_rows = models.JSONField(default=list)

    class Meta:
        verbose_name_plural = "workspace summaries"

    def __str__(self):
        return f"Summary of workspace {self.workspace_id}"


class AllWorkspaces(Counted):
    """The sum of every `WorkspaceSummary`: one row (id 1), locked by each write.

    `members` and `member_ids` (the number and the sum of the ids of the
    workspaces it adds up) tell whether a workspace was deleted since: then
    the next write rebuilds it, and readers add the workspaces' rows meanwhile.
    """

    ONLY = 1
    members = models.PositiveIntegerField(default=0)
    member_ids = models.BigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "all workspaces"

    def __str__(self):
        return f"Summary of {self.members} workspaces"
