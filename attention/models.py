"""Findings (what a rule found wrong, from when until when), mutes, digests sent.

A `Finding` is open while its rule keeps finding its subject (a schedule, a
run, a connection or the workspace itself) and resolved the first evaluation
that does not: `opened_at` and `resolved_at` are when the portal noticed,
`since` when the trouble began as far as the data says (a schedule's first
failed run, a sync's first failure). Rows are written only by
`attention.evaluate`; the database allows one open finding per rule and
subject, so two evaluations at once cannot open it twice. A `Mute` outlives
the findings of its subject, so one that resolves and opens again stays muted.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from workspaces.models import Workspace


class Severity(models.TextChoices):
    """In the order the attention page shows them."""

    CRITICAL = "critical", "Broken"
    WARNING = "warning", "At risk"
    INFO = "info", "Worth a look"


class Subject(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    RUN = "run", "Run"
    CONNECTION = "connection", "Connection"
    WORKSPACE = "workspace", "Workspace"


class Finding(models.Model):
    workspace = models.ForeignKey(
        Workspace, models.CASCADE, related_name="+", db_index=False
    )
    rule = models.CharField(max_length=40)
    severity = models.CharField(max_length=20, choices=Severity)
    subject_kind = models.CharField(max_length=20, choices=Subject)
    # The schedule's or run's AAC id, the connection's id; "" for the workspace.
    subject_id = models.CharField(max_length=64, blank=True)
    subject_name = models.CharField(max_length=500, blank=True)
    message = models.CharField(max_length=1000)
    # Ids the page needs for its links (the asset of a run, a retry time).
    data = models.JSONField(default=dict, blank=True)
    since = models.DateTimeField(help_text="When the trouble began, as far as known.")
    opened_at = models.DateTimeField()
    seen_at = models.DateTimeField(help_text="The last evaluation that found it.")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "rule", "subject_kind", "subject_id"],
                condition=Q(resolved_at__isnull=True),
                name="finding_one_open_per_subject",
            )
        ]
        indexes = [
            # The attention page, the dashboard's row, the metrics and the
            # digest: open findings by rule across workspaces.
            models.Index(
                fields=["rule", "workspace", "severity"],
                condition=Q(resolved_at__isnull=True),
                name="finding_open_rule",
            ),
            # The digest: findings opened since the last one.
            models.Index(fields=["opened_at", "workspace"], name="finding_opened"),
            # The attention page's groups: a rule's open findings, the most
            # recent trouble first, a few at a time.
            models.Index(
                fields=["rule", "-since", "-id"],
                condition=Q(resolved_at__isnull=True),
                name="finding_open_since",
            ),
            # The dashboard's "new in the last 24 h": open ones opened since,
            # from the index alone (the mute check reads its last columns).
            models.Index(
                fields=[
                    "opened_at",
                    "workspace",
                    "rule",
                    "severity",
                    "subject_kind",
                    "subject_id",
                ],
                condition=Q(resolved_at__isnull=True),
                name="finding_open_opened",
            ),
        ]

    def __str__(self):
        return f"{self.rule}: {self.subject_name or self.subject_id}"


class OpenCount(models.Model):
    """How many open findings of a rule and severity a workspace has, muted
    ones included. Written by each evaluation of its rules, in the
    transaction that changes its findings (`attention.listing.
    record_open_counts`), so the attention page and the dashboard add up a
    few rows a workspace instead of counting every open finding."""

    workspace = models.ForeignKey(
        Workspace, models.CASCADE, related_name="+", db_index=False
    )
    rule = models.CharField(max_length=40)
    severity = models.CharField(max_length=20, choices=Severity)
    n = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "rule", "severity"], name="opencount_unique"
            )
        ]

    def __str__(self):
        return f"{self.n} open {self.rule} in workspace {self.workspace_id}"


class Mute(models.Model):
    """Someone decided a rule's finding about a subject needs nobody, for now."""

    workspace = models.ForeignKey(
        Workspace, models.CASCADE, related_name="+", db_index=False
    )
    rule = models.CharField(max_length=40)
    subject_kind = models.CharField(max_length=20, choices=Subject)
    subject_id = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=500)
    muted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    # As it was, should the user go.
    muted_by_name = models.CharField(max_length=150)
    muted_at = models.DateTimeField()
    until = models.DateTimeField(null=True, blank=True, help_text="Empty: for good.")

    class Meta:
        ordering = ["-muted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "rule", "subject_kind", "subject_id"],
                name="mute_unique_subject",
            )
        ]

    def __str__(self):
        return f"{self.rule} {self.subject_kind} {self.subject_id} muted"


class Digest(models.Model):
    """One user's digest of one local day: claimed before it is sent, so two
    beats or a retried task send it once (`attention.digest`)."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", "Being sent"
        SENT = "sent", "Sent"
        EMPTY = "empty", "Nothing to say"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField(help_text="The user's local date.")
    status = models.CharField(max_length=20, choices=Status, default=Status.CLAIMED)
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    findings = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="digest_one_per_day")
        ]

    def __str__(self):
        return f"digest of {self.day} for user {self.user_id} ({self.status})"
