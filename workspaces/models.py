"""Workspaces, the AAC users' token pairs that open them, and who may see them.

A workspace is one AAC workspace; a `Connection` is one AAC user's token pair
for it (AAC lists only the token user's own schedules, docs/aac-api.md,
Schedules, so a workspace may need several). The token columns of a
connection (`access_token`, `refresh_token`, their expiry and digest) and its
lease columns belong to `workspaces.tokens`: only it writes them, with
conditional UPDATEs. Every other save names its `update_fields`, so a stale
instance can never write an old refresh token over a new one
(docs/reliability.md rule 3). The default and base managers defer the
encrypted columns, so nothing but the token code ever decrypts one (rule 12).
Who may see or operate a workspace is `workspaces.access`'s to say.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from workspaces.fields import EncryptedTextField

# A connection's slot is its bit in the `seen_by` mask of every cached row
# (bits 0-62 of a signed 64-bit integer).
MAX_CONNECTIONS = 63


def region_choices():
    """Regions come from settings.AAC_REGIONS, never from the database."""
    return [(key, region["label"]) for key, region in settings.AAC_REGIONS.items()]


class WorkspaceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Workspace(models.Model):
    name = models.CharField(max_length=200, unique=True)
    region = models.CharField(max_length=20, choices=region_choices)
    is_active = models.BooleanField(
        default=True, help_text="Inactive workspaces keep their history but never sync."
    )

    # Learned from AAC (GET /v4/workspaces/current).
    aac_workspace_id = models.CharField("AAC workspace id", max_length=64, blank=True)
    aac_gid = models.CharField("AAC workspace gid", max_length=64, blank=True)
    aac_name = models.CharField("AAC workspace name", max_length=255, blank=True)

    api_project_id = models.CharField(
        "API project id",
        max_length=255,
        blank=True,
        help_text="Only for API gateway calls (x-api-project-id).",
    )

    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    # What admin forms may save.
    EDITABLE_FIELDS = ("name", "region", "is_active", "api_project_id")
    IDENTITY_FIELDS = ("aac_workspace_id", "aac_gid", "aac_name")

    class Meta:
        ordering = ["name"]
        constraints = [
            # One portal workspace per AAC workspace: a second one would count
            # its schedules twice (docs/reliability.md, duplicates).
            models.UniqueConstraint(
                fields=["aac_gid"],
                condition=~Q(aac_gid=""),
                name="workspace_unique_aac_gid",
            )
        ]

    def __str__(self):
        return self.name

    def __repr__(self):
        return f"<Workspace {self.pk} {self.name!r} {self.region}>"


class ConnectionManager(models.Manager):
    def get_queryset(self):
        """Token columns load only when the token code asks for them.

        Pages, syncs and the admin never hold a secret in memory, a wrong
        encryption key cannot break them (only the token code meets it), and a
        plain `save()` of such an instance cannot write a token back. It is
        the base manager too, so `membership.workspace`-style access to a
        connection defers them as well.
        """
        return super().get_queryset().defer(*Connection.SECRET_FIELDS)


class Connection(models.Model):
    """One AAC user's token pair for a workspace, and what the portal knows of it.

    Tokens are write-only: pasted, refreshed and wiped by `workspaces.tokens`,
    never shown back. `slot` is the connection's bit in the `seen_by` mask of
    the rows it lists, so a row seen by several connections is stored once and
    a failing connection's rows are kept (`schedules.sync`).
    """

    class State(models.TextChoices):
        OK = "ok", "OK"
        NEEDS_REAUTH = "needs_reauth", "Needs re-authorisation"
        ERROR = "error", "Error"
        NEW = "new", "Not checked yet"

    workspace = models.ForeignKey(Workspace, models.CASCADE, related_name="connections")
    slot = models.PositiveSmallIntegerField(editable=False)

    client_id = models.CharField(
        "OAuth client id",
        max_length=255,
        blank=True,
        help_text="Used to refresh tokens. Taken from the access token when blank.",
    )
    # The AAC person the pair acts for: the id from the token's `sub`, the
    # e-mail and name from the people list (kept by the sync).
    aac_person_id = models.CharField("AAC person id", max_length=64, blank=True)
    person_email = models.CharField(max_length=255, blank=True)
    person_name = models.CharField(max_length=255, blank=True)

    # Written only by workspaces.tokens, with conditional UPDATEs.
    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    # SHA-256 of the refresh token: finds the same token pasted twice without
    # decrypting anything (a random token's digest reveals nothing of it).
    refresh_token_digest = models.CharField(max_length=64, blank=True, editable=False)
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_token_issued_at = models.DateTimeField(null=True, blank=True)
    refresh_token_lifetime_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The lifetime chosen in AAC (1-365 days), to warn before it dies.",
    )
    refresh_lease_id = models.UUIDField(null=True, blank=True, editable=False)
    refresh_lease_expires_at = models.DateTimeField(
        null=True, blank=True, editable=False
    )

    state = models.CharField(max_length=20, choices=State, default=State.NEW)
    state_reason = models.TextField(blank=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)

    # When the sync last applied a complete list read through this
    # connection: what it alone sees is "last confirmed" then.
    listed_at = models.DateTimeField(null=True, blank=True, editable=False)

    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The portal user who pasted the pair.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConnectionManager()

    STATE_FIELDS = ("state", "state_reason", "state_changed_at")
    PERSON_FIELDS = ("aac_person_id", "person_email", "person_name")
    SECRET_FIELDS = ("access_token", "refresh_token")

    class Meta:
        base_manager_name = "objects"
        ordering = ["workspace_id", "slot"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "slot"], name="connection_unique_workspace_slot"
            ),
            models.CheckConstraint(
                condition=Q(slot__lt=MAX_CONNECTIONS), name="connection_slot_in_mask"
            ),
            # One refresh token in one place: a copy would break the other the
            # first time either refreshes (refresh tokens are single-use).
            models.UniqueConstraint(
                fields=["refresh_token_digest"],
                condition=~Q(refresh_token_digest=""),
                name="connection_unique_refresh_token",
            ),
        ]

    def __str__(self):
        return f"{self.person} in {self.workspace}"

    def __repr__(self):
        return (
            f"<Connection {self.pk} workspace={self.workspace_id} slot={self.slot} "
            f"person={self.aac_person_id!r} {self.state}>"
        )

    @property
    def bit(self) -> int:
        return 1 << self.slot

    @property
    def person(self) -> str:
        """Who the pair acts for, as well as the portal knows it."""
        if self.person_name and self.person_email:
            return f"{self.person_name} <{self.person_email}>"
        if self.person_name or self.person_email:
            return self.person_name or self.person_email
        if self.aac_person_id:
            return f"AAC person {self.aac_person_id}"
        return f"connection {self.slot + 1}"

    @property
    def refresh_token_expires_at(self):
        if self.refresh_token_issued_at and self.refresh_token_lifetime_days:
            return self.refresh_token_issued_at + timedelta(
                days=self.refresh_token_lifetime_days
            )
        return None

    def refresh_token_expires_soon(self, now) -> bool:
        """Whether pages and the admin warn: the refresh token ends (or ended)
        within AAC_REFRESH_TOKEN_WARNING_DAYS."""
        expires_at = self.refresh_token_expires_at
        warning = timedelta(days=settings.AAC_REFRESH_TOKEN_WARNING_DAYS)
        return expires_at is not None and expires_at - now <= warning

    def set_state(self, state, reason=""):
        """Record the connection's state; writes only the state columns (and
        nothing at all for a connection removed meanwhile)."""
        if self.state == state and self.state_reason == reason:
            return
        self.state, self.state_reason = state, reason
        self.state_changed_at = timezone.now()
        Connection.objects.filter(pk=self.pk).update(
            **{name: getattr(self, name) for name in self.STATE_FIELDS}
        )


class ConnectionTask(models.Model):
    """A test or a refresh of one connection, pressed by someone, done by a worker.

    Its legal transitions, each a conditional UPDATE in `workspaces.queueing`
    and `workspaces.tasks`:

        (new)   -> queued     a press; deleted again when the broker refuses
        queued  -> running    the task starts
        running -> succeeded or failed     the task ends
        queued or running -> failed        expired: no worker took it, or its
                                           worker died (`expire_stale_tasks`)

    The database allows one queued-or-running task per connection and action,
    so a burst of presses makes one refresh (docs/reliability.md rule 17).
    """

    class Action(models.TextChoices):
        TEST = "test", "Test connection"
        REFRESH = "refresh", "Refresh tokens"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    ACTIVE_STATES = (Status.QUEUED, Status.RUNNING)
    FINISHED_STATES = (Status.SUCCEEDED, Status.FAILED)

    connection = models.ForeignKey(Connection, models.CASCADE, related_name="tasks")
    action = models.CharField(max_length=20, choices=Action)
    status = models.CharField(max_length=20, choices=Status, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "action"],
                condition=Q(status__in=["queued", "running"]),
                name="connectiontask_one_active_per_action",
            )
        ]
        indexes = [
            # A connection's latest tasks (the "just refreshed" check, pages).
            models.Index(fields=["connection", "-queued_at"], name="conntask_recent"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATES


class Membership(models.Model):
    class Role(models.TextChoices):
        VIEWER = "viewer", "Viewer"
        OPERATOR = "operator", "Operator"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships"
    )
    workspace = models.ForeignKey(Workspace, models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role, default=Role.VIEWER)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "workspace"], name="membership_unique_user_workspace"
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.workspace} ({self.get_role_display()})"
