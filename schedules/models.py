"""The portal's cache of AAC schedules and people, and the history of every sync.

Rows here are written only by `schedules.sync` (and by removing a connection,
`schedules.connections`); pages read them and never wait on AAC. `raw` keeps
what AAC sent, so a schedule the parser does not understand is still stored
and shown. `seen_by` holds the bits (`Connection.slot`) of the connections
whose last complete list held the row: a row is stored once however many
connections list it, and stays while a connection that saw it fails. Plans,
flows, workflows and their runs live in `schedules.assets.models`, the
dashboard's summaries in `schedules.summary_models`, imported here so that
Django registers them.
"""

from dataclasses import asdict, dataclass, field, fields

from django.conf import settings
from django.db import models
from django.db.models import Q

from schedules.assets.models import Flow, Plan, Run, RunHour, Workflow  # noqa: F401
from schedules.fields import seen_by_field, unparsed_field
from schedules.summary_models import AllWorkspaces, WorkspaceSummary  # noqa: F401
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
    AUTO_INSIGHTS = "auto_insights", "Auto Insights"
    LOCATION_INTELLIGENCE = "location_intel", "Location Intelligence"
    OTHER = "other", "Other"


class Person(models.Model):
    """A person of an AAC workspace, from `GET /v4/people` (docs/aac-api.md, People).

    Schedules name their owner by AAC id (`Schedule.owner_id`); the people list
    says who exists at all, who is disabled, and so whose schedules the portal
    sees (`schedules.coverage`).
    """

    workspace = models.ForeignKey(
        Workspace, models.CASCADE, related_name="people", db_index=False
    )
    aac_id = models.BigIntegerField("AAC id")
    email = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=255, blank=True)
    disabled = models.BooleanField(default=False)
    state = models.CharField(max_length=50, blank=True)
    is_admin = models.BooleanField(
        "admin", default=False, help_text="Reliable only on a connection's own person."
    )
    last_login_at = models.DateTimeField(null=True, blank=True)
    raw = models.JSONField()
    unparsed = unparsed_field()
    fingerprint = models.CharField(max_length=32, editable=False, default="")
    synced_at = models.DateTimeField(help_text="When a sync last wrote this row.")
    seen_by = seen_by_field()

    class Meta:
        ordering = ["workspace_id", "name", "aac_id"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "aac_id"], name="person_unique_workspace_aac_id"
            )
        ]

    def __str__(self):
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.name or self.email or f"AAC person {self.aac_id}"


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
    unparsed = unparsed_field()
    # A digest of `raw` (and the parser version): a sync leaves rows whose
    # digest is unchanged alone instead of rewriting them.
    fingerprint = models.CharField(max_length=32, editable=False, default="")
    synced_at = models.DateTimeField(help_text="When a sync last wrote this row.")
    seen_by = seen_by_field()

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
            # The portal's pages (schedules/queries.py, pages/tables.py):
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
            # Coverage (rows per connection mask and owner) and the owners'
            # flags the people list corrects, from the index alone.
            models.Index(
                fields=["workspace", "seen_by", "owner_id", "owner_disabled"],
                name="schedule_seen_by",
            ),
            # The schedules that run an asset: its page and the asset tables.
            models.Index(
                fields=["workspace", "task_kind", "target_id"], name="schedule_target"
            ),
        ]

    def __str__(self):
        return self.name


@dataclass
class KindCounts:
    """What a sync found of one kind of AAC object; kept in `SyncRun.counts`."""

    pages: int = 0
    seen: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    # Stored with parts the parser did not understand (see their note).
    unparsed: int = 0
    # Items AAC sent without a usable id: not stored.
    ignored: int = 0

    @classmethod
    def from_json(cls, data: dict) -> "KindCounts":
        return cls(**{f.name: data.get(f.name, 0) for f in fields(cls)})

    def to_json(self) -> dict[str, int]:
        return asdict(self)

    def __add__(self, other: "KindCounts") -> "KindCounts":
        return KindCounts(
            **{
                f.name: getattr(self, f.name) + getattr(other, f.name)
                for f in fields(self)
            }
        )


@dataclass
class ConnectionReport:
    """What one connection did in a sync; kept in `SyncRun.by_connection`.

    Ids and names as they were, so the history survives the connection's
    removal.
    """

    connection: int
    slot: int
    person: str
    pages: int = 0
    # Items listed, per kind.
    listed: dict[str, int] = field(default_factory=dict)
    error_kind: str = ""
    error: str = ""

    @classmethod
    def from_json(cls, data: dict) -> "ConnectionReport":
        names = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})

    def to_json(self) -> dict:
        return asdict(self)

    @property
    def failed(self) -> bool:
        return bool(self.error_kind)


class SyncStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


# Waiting for a worker or being worked on: at most one per workspace.
ACTIVE_SYNC_STATES = (SyncStatus.QUEUED, SyncStatus.RUNNING)


class SyncRun(models.Model):
    """One sync of one workspace, from the moment it is queued to its end.

    Its legal transitions; each but the first is a conditional UPDATE in
    `schedules.sync.runs`, so two processes never both make one:

        (new)   -> queued     `schedules.queueing`; deleted again when the
                              broker refuses the task
        queued  -> running    claim, by the task
        running -> running    take over: the task was delivered again after
                              its worker died
        running -> queued     finish with `retry_at`: AAC unavailable or rate
                              limited; the task retries
        running -> succeeded, failed or skipped     finish
        queued  -> failed     expire: no worker started it within
                              AAC_SYNC_STALE_MINUTES of when it was due
        running -> failed     expire: no heartbeat for AAC_SYNC_HEARTBEAT_TIMEOUT
                              seconds (its worker stopped)
    """

    class Trigger(models.TextChoices):
        BEAT = "beat", "Schedule (beat)"
        BUTTON = "button", "Button"
        ADMIN = "admin", "Admin"
        DEMO = "demo", "Demo start-up"

    Status = SyncStatus
    ACTIVE_STATES = ACTIVE_SYNC_STATES
    FINISHED_STATES = (Status.SUCCEEDED, Status.FAILED, Status.SKIPPED)

    workspace = models.ForeignKey(Workspace, models.CASCADE, related_name="sync_runs")
    trigger = models.CharField(max_length=20, choices=Trigger)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who pressed the button or ran the admin action; empty for beat.",
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.QUEUED)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="When its worker last said it is working."
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    pages_fetched = models.PositiveIntegerField(default=0)
    counts = models.JSONField(
        default=dict,
        blank=True,
        help_text="Per kind of AAC object (schedules, ...): pages, seen, created, "
        "updated, unchanged, deleted, unparsed, ignored; what the connections' "
        "lists added up to.",
    )
    by_connection = models.JSONField(
        default=list,
        blank=True,
        help_text="Per connection: its id, slot and person, pages read, items "
        "listed per kind, and its error if it failed.",
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
            # (docs/reliability.md rule 9); `sync.runs.expire_stale_runs`
            # frees dead ones.
            models.UniqueConstraint(
                fields=["workspace"],
                condition=Q(status="running"),
                name="syncrun_one_running_per_workspace",
            ),
            # And at most one waiting or running: two clicks and a beat tick at
            # once create one run; the others are refused by `queue_sync`.
            models.UniqueConstraint(
                fields=["workspace"],
                condition=Q(status__in=list(ACTIVE_SYNC_STATES)),
                name="syncrun_one_active_per_workspace",
            ),
            # A running run can always be expired by the age of its heartbeat.
            models.CheckConstraint(
                condition=~Q(status="running") | Q(heartbeat_at__isnull=False),
                name="syncrun_running_has_heartbeat",
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

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATES

    @property
    def connection_reports(self) -> list[ConnectionReport]:
        return [ConnectionReport.from_json(entry) for entry in self.by_connection]

    def counts_of(self, kind: str) -> KindCounts:
        return KindCounts.from_json(self.counts.get(kind, {}))

    @property
    def totals(self) -> KindCounts:
        """The counts of every kind added up."""
        return sum((self.counts_of(kind) for kind in self.counts), KindCounts())

    @property
    def found(self) -> str:
        """What it found: "1,234 schedules (4 new, 0 updated, 2 deleted)"."""
        return (
            "; ".join(_found(kind, self.counts_of(kind)) for kind in self.counts)
            or "nothing"
        )


def _found(kind: str, counts: KindCounts) -> str:
    parts = [
        f"{counts.created:,} new",
        f"{counts.updated:,} updated",
        f"{counts.deleted:,} deleted",
    ]
    if counts.unparsed:
        parts.append(f"{counts.unparsed:,} not fully understood")
    if counts.ignored:
        parts.append(f"{counts.ignored:,} ignored")
    return f"{counts.seen:,} {kind} ({', '.join(parts)})"
