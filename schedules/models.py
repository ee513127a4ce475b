"""The portal's cache of AAC schedules, and the history of every sync.

Rows here are written only by `schedules.sync`; pages read them and never wait
on AAC. `raw` keeps what AAC sent, so a schedule the parser does not understand
is still stored and shown.
"""

from django.db import models
from django.db.models import Q

from workspaces.models import Workspace


class TriggerKind(models.TextChoices):
    CRON = "cron", "Cron"
    DAILY = "daily", "Daily"
    HOURLY = "hourly", "Hourly"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    MONTHLY_WEEKDAY = "monthly_weekday", "Monthly (weekday)"
    ONE_TIME = "one_time", "One time"
    FILE_WATCHER = "file_watcher", "File watcher"
    TABLE_WATCHER = "table_watcher", "Table watcher"
    UNKNOWN = "unknown", "Unknown"


class TaskKind(models.TextChoices):
    FLOW = "flow", "Flow"
    PLAN = "plan", "Plan"
    WORKFLOW = "workflow", "Workflow"
    REPORT = "report", "Report"
    OTHER = "other", "Other"


class Schedule(models.Model):
    # No index of its own: the unique (workspace, AAC id) index serves the
    # per-workspace lookups, and one index less makes a full sync faster.
    workspace = models.ForeignKey(
        Workspace, models.CASCADE, related_name="schedules", db_index=False
    )
    aac_id = models.BigIntegerField("AAC id")
    name = models.CharField(max_length=500)
    enabled = models.BooleanField(default=True)
    disable_reason = models.CharField(max_length=500, blank=True)

    trigger_kind = models.CharField(
        max_length=20, choices=TriggerKind, default=TriggerKind.UNKNOWN
    )
    cron = models.CharField("cron expression", max_length=255, blank=True)
    timezone = models.CharField(max_length=64, blank=True)
    description = models.CharField("schedule", max_length=500, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    last_execution_at = models.DateTimeField(null=True, blank=True)

    task_kind = models.CharField(
        max_length=20, choices=TaskKind, default=TaskKind.OTHER
    )
    target_id = models.CharField("target AAC id", max_length=64, blank=True)
    target_name = models.CharField(max_length=500, blank=True)

    owner_id = models.CharField("owner AAC id", max_length=64, blank=True)
    owner_name = models.CharField(max_length=255, blank=True)
    owner_email = models.CharField(max_length=255, blank=True)
    owner_disabled = models.BooleanField(default=False)

    aac_created_at = models.DateTimeField(null=True, blank=True)
    aac_updated_at = models.DateTimeField(null=True, blank=True)
    raw = models.JSONField()
    note = models.CharField(
        max_length=500,
        blank=True,
        help_text="What the parser did not understand, and how AAC quirks were read.",
    )
    # A digest of `raw` (and the parser version): a sync leaves rows whose
    # digest is unchanged alone instead of rewriting them.
    fingerprint = models.CharField(max_length=32, editable=False, default="")
    synced_at = models.DateTimeField(help_text="When a sync last wrote this row.")

    class Meta:
        ordering = ["workspace_id", "name", "aac_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "aac_id"], name="schedule_unique_workspace_aac_id"
            )
        ]
        indexes = [
            # The schedules table's default order and its per-workspace filter.
            models.Index(fields=["workspace", "name"], name="schedule_ws_name"),
            # The portal's pages (schedules/queries.py, schedules/tables.py):
            # they cover their queries, so PostgreSQL answers from the index
            # alone (bench/pages.py). Upcoming runs, and sorting by next run.
            models.Index(
                fields=["next_run_at", "id", "enabled", "workspace"],
                name="schedule_next_run_id",
            ),
            # The per-workspace summary: totals, task and trigger kinds.
            models.Index(
                fields=[
                    "workspace",
                    "task_kind",
                    "trigger_kind",
                    "enabled",
                    "owner_disabled",
                    "next_run_at",
                ],
                name="schedule_summary",
            ),
            # The owner chart, and filters by owner.
            models.Index(
                fields=["owner_email", "owner_name", "workspace"],
                name="schedule_owner",
            ),
            # Sorting by owner.
            models.Index(
                fields=["owner_name", "id", "workspace"], name="schedule_owner_name_id"
            ),
            # The table's default order.
            models.Index(fields=["name", "id", "workspace"], name="schedule_name_id"),
        ]

    def __str__(self):
        return self.name


class SyncRun(models.Model):
    class Trigger(models.TextChoices):
        BEAT = "beat", "Schedule (beat)"
        BUTTON = "button", "Button"
        ADMIN = "admin", "Admin"
        DEMO = "demo", "Demo start-up"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    workspace = models.ForeignKey(Workspace, models.CASCADE, related_name="sync_runs")
    trigger = models.CharField(max_length=20, choices=Trigger)
    status = models.CharField(max_length=20, choices=Status, default=Status.QUEUED)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pages_fetched = models.PositiveIntegerField(default=0)
    schedules_seen = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    unparsed = models.PositiveIntegerField(
        default=0,
        help_text="Stored with parts the parser did not understand (see their note).",
    )
    ignored = models.PositiveIntegerField(
        default=0, help_text="Items AAC sent without a usable id: not stored."
    )
    error_kind = models.CharField(max_length=100, blank=True)
    error_message = models.TextField(blank=True)
    aac_request_id = models.CharField("AAC request id", max_length=255, blank=True)
    retry_at = models.DateTimeField(
        null=True, blank=True, help_text="When a rate-limited or failed run retries."
    )

    class Meta:
        ordering = ["-queued_at", "-id"]
        constraints = [
            # One running sync per workspace, enforced by the database
            # (RELIABILITY rule 9); `sync.expire_stale_runs` frees dead ones.
            models.UniqueConstraint(
                fields=["workspace"],
                condition=Q(status="running"),
                name="syncrun_one_running_per_workspace",
            ),
            # And at most one waiting or running: two clicks and a beat tick at
            # once create one run; the others are refused by `queue_sync`.
            models.UniqueConstraint(
                fields=["workspace"],
                condition=Q(status__in=["queued", "running"]),
                name="syncrun_one_active_per_workspace",
            ),
        ]
        indexes = [
            # The dashboard's "last sync" per workspace and a workspace's history.
            models.Index(fields=["workspace", "-queued_at"], name="syncrun_ws_recent"),
        ]

    def __str__(self):
        return f"{self.workspace} sync {self.pk} ({self.status})"

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None
