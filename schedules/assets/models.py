"""The cache of plans, flows, workflows and their runs.

Rows are written by `schedules.sync` alone (an upsert per page, as for
schedules) and by the rollups worked out after it; pages read them and never
wait on AAC. Runs and assets name what they point at by AAC id (the asset a
run ran, the schedule that started it, the person who ran it): those rows come
and go with their own syncs, and an id stays true when a row is re-created.
"""

from datetime import timedelta

from django.db import models
from django.db.models import Q

from schedules.fields import seen_by_field
from workspaces.models import Workspace


class AssetKind(models.TextChoices):
    PLAN = "plan", "Plan"
    FLOW = "flow", "Flow"
    WORKFLOW = "workflow", "Workflow"
    # A run of something AAC names otherwise.
    OTHER = "other", "Other"


class RunStatus(models.TextChoices):
    """AAC's run states (docs/aac-api.md, Plans flows workflows and their runs)."""

    CREATED = "Created", "Queued"
    IN_PROGRESS = "InProgress", "In progress"
    COMPLETE = "Complete", "Complete"
    FAILED = "Failed", "Failed"
    CANCELED = "Canceled", "Canceled"
    # A state AAC sent that the portal does not know: kept in `raw`.
    UNKNOWN = "unknown", "Unknown"


# Not finished: the sync reads these again until they are.
UNFINISHED = (RunStatus.CREATED, RunStatus.IN_PROGRESS)
FINISHED = (RunStatus.COMPLETE, RunStatus.FAILED, RunStatus.CANCELED)


class RanFrom(models.TextChoices):
    """How a run was started: AAC's `ranfrom`."""

    SCHEDULE = "schedule", "Schedule"
    UI = "ui", "AAC UI"
    API = "api", "API"
    UNKNOWN = "", "Unknown"


class Asset(models.Model):
    """What plans, flows and workflows share: AAC's fields and the rollups."""

    # The unique (workspace, AAC id) index serves per-workspace lookups.
    workspace = models.ForeignKey(
        Workspace, models.CASCADE, related_name="+", db_index=False
    )
    name = models.CharField(max_length=500)
    description = models.CharField(max_length=1000, blank=True)
    owner_aac_id = models.BigIntegerField("owner's AAC person id", null=True)
    aac_created_at = models.DateTimeField(null=True, blank=True)
    aac_updated_at = models.DateTimeField(null=True, blank=True)
    raw = models.JSONField()
    note = models.CharField(
        max_length=500, blank=True, help_text="What the parser did not understand."
    )
    fingerprint = models.CharField(max_length=32, editable=False, default="")
    synced_at = models.DateTimeField(help_text="When a sync last wrote this row.")
    seen_by = seen_by_field()

    # Worked out from the run history after each sync (schedules/assets/
    # rollups.py), never written by the upsert: the kinds name them `derived`,
    # hence database defaults for the rows the upsert inserts.
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_run_status = models.CharField(
        max_length=20, choices=RunStatus, blank=True, db_default=""
    )
    last_success_at = models.DateTimeField(null=True, blank=True)
    failure_streak = models.PositiveIntegerField(
        default=0,
        db_default=0,
        help_text="Failed runs since the last complete one, the latest first.",
    )

    DERIVED = ("last_run_at", "last_run_status", "last_success_at", "failure_streak")

    class Meta:
        abstract = True
        ordering = ["workspace_id", "name", "aac_id"]

    def __str__(self):
        return self.name


def _unique_key(name: str) -> list[models.UniqueConstraint]:
    return [
        models.UniqueConstraint(
            fields=["workspace", "aac_id"], name=f"{name}_unique_workspace_aac_id"
        )
    ]


def _indexes(name: str) -> list[models.Index]:
    """The indexes of an asset table, named after it."""
    return [
        # The asset table's default order across workspaces.
        models.Index(fields=["name", "id"], name=f"{name}_name_id"),
        # The asset table sorted by failure streak (the failing first) and by
        # last run.
        models.Index(fields=["failure_streak", "id"], name=f"{name}_streak_id"),
        models.Index(fields=["last_run_at", "id"], name=f"{name}_last_run_id"),
    ]


class Plan(Asset):
    aac_id = models.BigIntegerField("AAC id")
    kind = AssetKind.PLAN

    class Meta(Asset.Meta):
        constraints = _unique_key("plan")
        indexes = _indexes("plan")


class Flow(Asset):
    aac_id = models.BigIntegerField("AAC id")
    kind = AssetKind.FLOW

    class Meta(Asset.Meta):
        constraints = _unique_key("flow")
        indexes = _indexes("flow")


class Workflow(Asset):
    # Cloud-native workflows have 26-character ULIDs for ids.
    aac_id = models.CharField("AAC id", max_length=64)
    workflow_type = models.CharField(
        "type", max_length=20, blank=True, help_text="CLOUD or DESKTOP."
    )
    kind = AssetKind.WORKFLOW

    class Meta(Asset.Meta):
        constraints = _unique_key("workflow")
        indexes = _indexes("workflow")


ASSET_MODELS: dict[str, type[Asset]] = {
    AssetKind.PLAN: Plan,
    AssetKind.FLOW: Flow,
    AssetKind.WORKFLOW: Workflow,
}


class Run(models.Model):
    """One run of a plan, flow or workflow: an item of AAC's job library.

    Its key is the job group id; `run_aac_id` is the plan snapshot run, flow
    run or workflow job it stands for.
    """

    workspace = models.ForeignKey(
        Workspace, models.CASCADE, related_name="+", db_index=False
    )
    aac_id = models.BigIntegerField("AAC job group id")
    run_aac_id = models.BigIntegerField(
        "AAC run id",
        null=True,
        blank=True,
        help_text="The plan snapshot run, flow run or workflow job.",
    )
    asset_kind = models.CharField(
        max_length=20, choices=AssetKind, default=AssetKind.OTHER
    )
    asset_aac_id = models.CharField("asset's AAC id", max_length=64, blank=True)
    asset_name = models.CharField(max_length=500, blank=True)
    schedule_aac_id = models.BigIntegerField(
        "schedule's AAC id",
        null=True,
        blank=True,
        help_text="The schedule that started it, when AAC says so.",
    )
    status = models.CharField(max_length=20, choices=RunStatus)
    ranfrom = models.CharField(
        "started from", max_length=20, choices=RanFrom, blank=True
    )
    run_by_aac_id = models.BigIntegerField(
        "run by (AAC person id)", null=True, blank=True
    )
    aac_created_at = models.DateTimeField("created")
    aac_updated_at = models.DateTimeField("updated", null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Seconds, so the sync's upsert writes it as it writes any number.
    duration_seconds = models.PositiveIntegerField(
        "duration (s)", null=True, blank=True, help_text="From its start to its end."
    )
    error_message = models.TextField(blank=True)
    note = models.CharField(
        max_length=500, blank=True, help_text="What the parser did not understand."
    )
    raw = models.JSONField()
    fingerprint = models.CharField(max_length=32, editable=False, default="")
    synced_at = models.DateTimeField(help_text="When a sync last wrote this row.")
    seen_by = seen_by_field()
    # Every row the upsert writes is pending until the rollups of its asset
    # and hour have been worked out again (schedules/assets/rollups.py).
    pending = models.BooleanField(default=True, editable=False)

    class Meta:
        ordering = ["-aac_created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "aac_id"], name="run_unique_workspace_aac_id"
            )
        ]
        indexes = [
            # The runs table across workspaces, newest first (keyset pages),
            # its date range, and pruning by age.
            models.Index(fields=["aac_created_at", "id"], name="run_created_id"),
            # The same within a workspace; the incremental sync's watermark
            # (the newest run) and the stored rows of its window; the hourly
            # counts worked out again after a sync.
            models.Index(
                fields=["workspace", "aac_created_at", "id"], name="run_ws_created_id"
            ),
            # A schedule's last runs and its success rate.
            models.Index(
                fields=["workspace", "schedule_aac_id", "aac_created_at"],
                name="run_schedule",
            ),
            # An asset's runs, its last run and failure streak.
            models.Index(
                fields=["workspace", "asset_kind", "asset_aac_id", "aac_created_at"],
                name="run_asset",
            ),
            # "Runs failed in the last 24 h" on the dashboard and the
            # workspace page; the runs table filtered to failures.
            models.Index(
                fields=["aac_created_at", "workspace"],
                condition=Q(status=RunStatus.FAILED),
                name="run_failed_created",
            ),
            # The incremental sync's oldest unfinished run.
            models.Index(
                fields=["workspace", "aac_created_at"],
                condition=Q(status__in=UNFINISHED),
                name="run_unfinished",
            ),
            # The rows written since the rollups were last worked out.
            models.Index(
                fields=["workspace"], condition=Q(pending=True), name="run_pending"
            ),
        ]

    def __str__(self):
        return f"{self.asset_name or self.asset_aac_id} run {self.aac_id}"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def duration(self) -> timedelta | None:
        if self.duration_seconds is None:
            return None
        return timedelta(seconds=self.duration_seconds)


class RunHour(models.Model):
    """How many runs a workspace had in one hour (UTC, by creation), by status.

    What the runs chart and the failure rates read: thirty days of twenty busy
    workspaces are some 40,000 of these rows rather than 700,000 runs (and
    kinds and starts left out keep it so: each would multiply the rows).
    Worked out again for the hours a sync touched (schedules/assets/rollups.py).
    """

    workspace = models.ForeignKey(
        Workspace, models.CASCADE, related_name="+", db_index=False
    )
    hour = models.DateTimeField()
    status = models.CharField(max_length=20, choices=RunStatus)
    runs = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "hour", "status"], name="runhour_unique"
            )
        ]
        indexes = [
            # The runs chart and failure rates across workspaces (a period).
            models.Index(
                fields=["hour", "workspace", "status", "runs"], name="runhour_hour"
            ),
        ]

    def __str__(self):
        return f"{self.workspace_id} {self.hour:%Y-%m-%d %H:00} {self.status}"
