"""The state of every action the portal takes on AAC: runs pressed, enable and
disable (one schedule or many), maintenance windows.

Each is a row from the moment it is asked for, so the page that asked shows
its progress and outcome, a worker that dies loses nothing (the next one, or
beat, carries on from the rows), and the activity log names what happened.
Items name the schedules they act on by workspace and AAC id, with names as
they were, so a result survives the schedule's deletion.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from workspaces.models import Connection, Workspace


class Change(models.TextChoices):
    ENABLE = "enable", "Enable"
    DISABLE = "disable", "Disable"


class RunRequest(models.Model):
    """One press of "Run now", followed until AAC says how the run ended.

    Its legal transitions, each a conditional UPDATE in `actions.runs`:

        (new)    -> queued     the confirmation's POST, with the execution id
                               its form was rendered with (unique: the same
                               form sent again finds the same row)
        queued   -> starting   claimed by the task
        starting -> starting   taken over after its worker died; the run call
                               is repeated with the same `x-execution-id`, so
                               AAC starts nothing twice (docs/aac-api.md,
                               Conventions of the v4 API)
        starting -> started    AAC answered with the run's id
        starting -> failed     AAC refused (quota, validation, owner), or no
                               connection may run it; nothing was started
        started  -> running    AAC says InProgress
        started, running -> complete, failed, canceled   AAC's own end
        queued, starting -> failed   the broker refused the task
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        STARTING = "starting", "Starting in AAC"
        STARTED = "started", "Started in AAC"
        RUNNING = "running", "Running"
        COMPLETE = "complete", "Complete"
        FAILED = "failed", "Failed"
        CANCELED = "canceled", "Canceled"

    # Not yet started in AAC: one per asset at a time, so two operators
    # pressing at once start one run.
    UNSTARTED_STATES = (Status.QUEUED, Status.STARTING)
    FOLLOWED_STATES = (Status.STARTED, Status.RUNNING)
    ACTIVE_STATES = (*UNSTARTED_STATES, *FOLLOWED_STATES)
    FINISHED_STATES = (Status.COMPLETE, Status.FAILED, Status.CANCELED)

    workspace = models.ForeignKey(Workspace, models.CASCADE, related_name="+")
    execution_id = models.CharField(
        "AAC execution id", max_length=64, unique=True, editable=False
    )
    asset_kind = models.CharField(max_length=20)
    asset_aac_id = models.CharField("asset's AAC id", max_length=64)
    asset_name = models.CharField(max_length=500, blank=True)
    schedule_aac_id = models.BigIntegerField(
        "schedule's AAC id",
        null=True,
        blank=True,
        help_text="The schedule whose task was run, when pressed on a schedule.",
    )
    connection = models.ForeignKey(
        Connection, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    connection_name = models.CharField(max_length=255, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    requested_by_name = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.QUEUED)
    aac_run_id = models.BigIntegerField(
        "AAC run id",
        null=True,
        blank=True,
        help_text="The plan snapshot run, flow run or workflow job.",
    )
    aac_job_group_id = models.BigIntegerField("AAC job group id", null=True, blank=True)
    aac_status = models.CharField("AAC's status", max_length=50, blank=True)
    message = models.TextField(blank=True)
    aac_request_id = models.CharField("AAC request id", max_length=255, blank=True)
    quota = models.PositiveIntegerField(
        null=True, blank=True, help_text="Runs per minute AAC allows, when it said so."
    )
    retry_at = models.DateTimeField(
        null=True, blank=True, help_text="When AAC's quota lets a run start again."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "asset_kind", "asset_aac_id"],
                condition=Q(status__in=("queued", "starting")),
                name="runrequest_one_unstarted_per_asset",
            )
        ]
        indexes = [
            # Beat's sweep of the runs still followed.
            models.Index(
                fields=["status", "checked_at"],
                condition=Q(status__in=("queued", "starting", "started", "running")),
                name="runrequest_active",
            )
        ]

    def __str__(self):
        return f"Run of {self.asset_kind} {self.asset_name or self.asset_aac_id}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATES


class BulkChange(models.Model):
    """One press of Enable or Disable, for one schedule or many.

    Its legal transitions, each a conditional UPDATE in `actions.bulk`:

        (new)   -> queued     the confirmation's POST, with every item pending
        queued  -> running    claimed by the task
        running -> running    taken over: its heartbeat stopped (worker died);
                              the items still pending are done, none twice
        running -> finished   every item has its outcome
        queued  -> failed     the broker refused the task
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    ACTIVE_STATES = (Status.QUEUED, Status.RUNNING)

    action = models.CharField(max_length=20, choices=Change)
    reason = models.CharField(max_length=500)
    chosen = models.CharField(
        "schedules chosen", max_length=500, help_text="How they were chosen, in words."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    requested_by_name = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_action_display()} ({self.chosen})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATES


class Item(models.Model):
    """What one schedule of a bulk change or a window is; names as they were."""

    workspace = models.ForeignKey(
        Workspace, models.SET_NULL, null=True, related_name="+"
    )
    workspace_name = models.CharField(max_length=200)
    schedule_aac_id = models.BigIntegerField("schedule's AAC id")
    schedule_name = models.CharField(max_length=500, blank=True)
    owner_name = models.CharField(max_length=255, blank=True)
    message = models.TextField(blank=True)
    aac_request_id = models.CharField("AAC request id", max_length=255, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["workspace_name", "schedule_name", "schedule_aac_id"]

    @classmethod
    def create_for(cls, schedules, **parent) -> None:
        """One item per schedule of the queryset `schedules`, for `parent` (the
        change or window), its names copied as they are now."""
        rows = schedules.values_list(
            "workspace_id", "workspace__name", "aac_id", "name", "owner_name"
        )
        cls.objects.bulk_create(
            (
                cls(
                    workspace_id=workspace_id,
                    workspace_name=workspace_name,
                    schedule_aac_id=aac_id,
                    schedule_name=name,
                    owner_name=owner,
                    **parent,
                )
                for workspace_id, workspace_name, aac_id, name, owner in rows.iterator()
            ),
            batch_size=1000,
        )


class BulkItem(Item):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Done"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Nothing to do"

    change = models.ForeignKey(BulkChange, models.CASCADE, related_name="items")
    status = models.CharField(max_length=20, choices=Status, default=Status.PENDING)

    class Meta(Item.Meta):
        indexes = [models.Index(fields=["change", "status"], name="bulkitem_status")]

    def __str__(self):
        return f"{self.schedule_name} in {self.workspace_name}: {self.status}"


class Window(models.Model):
    """ "Pause these schedules from T1 to T2": a maintenance window.

    Beat moves it (`actions.windows.advance_windows`, every few seconds), never
    a countdown task, so a worker restart or an outage at T1 or T2 delays a
    step and loses nothing. Its legal transitions, each a conditional UPDATE:

        (new)     -> scheduled   created
        scheduled -> cancelled   cancelled before T1: nothing was touched
        scheduled -> starting    T1 came: disabling the enabled ones
        starting  -> active      every item has its outcome
        active    -> ending      T2 came, or it was ended early
        ending    -> ended       re-enabled what it disabled and nobody changed
        starting, ending -> the same   taken over after the worker died
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        STARTING = "starting", "Starting"
        ACTIVE = "active", "Active"
        ENDING = "ending", "Ending"
        ENDED = "ended", "Ended"
        CANCELLED = "cancelled", "Cancelled"

    WORKING_STATES = (Status.STARTING, Status.ENDING)
    OPEN_STATES = (Status.SCHEDULED, Status.STARTING, Status.ACTIVE, Status.ENDING)

    reason = models.CharField(max_length=500)
    chosen = models.CharField(
        "schedules chosen", max_length=500, help_text="How they were chosen, in words."
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status, default=Status.SCHEDULED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_by_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker last took a step of it."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [
            # Beat's round: the windows with a step to take.
            models.Index(
                fields=["status", "starts_at", "ends_at"],
                condition=Q(status__in=("scheduled", "starting", "active", "ending")),
                name="window_open",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="window_ends_after_it_starts",
            )
        ]

    def __str__(self):
        return self.reason


class WindowItem(Item):
    """One schedule of a window. `disabling` and `enabling` mark a call under
    way: a worker taking over asks AAC how the schedule is before it acts."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for the start"
        DISABLING = "disabling", "Disabling"
        DISABLED = "disabled", "Disabled by the window"
        ALREADY_DISABLED = "already_disabled", "Already disabled: left alone"
        NOT_DISABLED = "not_disabled", "Could not be disabled"
        ENABLING = "enabling", "Re-enabling"
        RE_ENABLED = "re_enabled", "Re-enabled"
        LEFT = "left", "Changed in between: left as it is"
        NOT_ENABLED = "not_enabled", "Could not be re-enabled"

    window = models.ForeignKey(Window, models.CASCADE, related_name="items")
    state = models.CharField(max_length=20, choices=State, default=State.PENDING)
    disabled_version = models.CharField(
        max_length=64,
        blank=True,
        help_text="AAC's updatedAt of the schedule right after the window "
        "disabled it: a different one later means someone changed it since.",
    )

    class Meta(Item.Meta):
        indexes = [models.Index(fields=["window", "state"], name="windowitem_state")]

    def __str__(self):
        return f"{self.schedule_name} in {self.workspace_name}: {self.state}"
