"""The activity log: who pressed what, on which workspace, and how it ended.

One row per button press or change (docs/reliability.md rule 17). Rows hold
ids and names as they were, never foreign keys to the rows they name, so a
deleted workspace, user or schedule leaves its history readable; nothing but
`activity.record` writes them, and nobody edits them.
"""

from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    RESYNC = "resync", "Re-sync"
    TEST_CONNECTION = "test_connection", "Test connection"
    REFRESH_TOKENS = "refresh_tokens", "Refresh tokens"
    CONNECTION_ADDED = "connection_added", "Connection added"
    CONNECTION_REMOVED = "connection_removed", "Connection removed"
    RUN_NOW = "run_now", "Run now"
    ENABLE = "enable", "Enable"
    DISABLE = "disable", "Disable"
    WINDOW_CREATED = "window_created", "Window created"
    WINDOW_STARTED = "window_started", "Window started"
    WINDOW_ENDED = "window_ended", "Window ended"
    WINDOW_CANCELLED = "window_cancelled", "Window cancelled"
    WORKSPACE_CREATED = "workspace_created", "Workspace created"
    WORKSPACE_DELETED = "workspace_deleted", "Workspace deleted"
    MEMBERSHIP_CHANGED = "membership_changed", "Membership changed"
    LOGIN = "login", "Login"
    LOGIN_FAILED = "login_failed", "Failed login"
    LOCKED_OUT = "locked_out", "Lock-out"


class Outcome(models.TextChoices):
    # Handed to the background queue; the work's own row says how it ends.
    QUEUED = "queued", "Queued"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    # The portal said no before anything was asked of AAC.
    REFUSED = "refused", "Refused"


class Entry(models.Model):
    at = models.DateTimeField(default=timezone.now)
    user_id = models.IntegerField("user id", null=True, blank=True)
    username = models.CharField(
        max_length=150, blank=True, help_text="As it was; empty for the portal itself."
    )
    workspace_id = models.IntegerField("workspace id", null=True, blank=True)
    workspace_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=30, choices=Action)
    target_kind = models.CharField(max_length=30, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_name = models.CharField(max_length=500, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome)
    message = models.TextField(blank=True)
    aac_request_id = models.CharField("AAC request id", max_length=255, blank=True)
    aac_execution_id = models.CharField("AAC execution id", max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "activity"
        verbose_name_plural = "activity"
        indexes = [
            # The activity page, newest first, and its date filter.
            models.Index(fields=["-at", "-id"], name="activity_at"),
            # The page scoped to a user's workspaces, or filtered by one.
            models.Index(fields=["workspace_id", "-at"], name="activity_workspace"),
            # The filter by user, and a user's own logins.
            models.Index(fields=["user_id", "-at"], name="activity_user"),
        ]

    def __str__(self):
        who = self.username or "the portal"
        return f"{self.get_action_display()} by {who}: {self.get_outcome_display()}"
