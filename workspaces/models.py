"""Workspaces, their encrypted AAC credentials, and who may see them.

The token columns (`access_token`, `refresh_token`, `access_token_expires_at`,
`refresh_token_issued_at`) and the lease columns belong to `workspaces.tokens`:
only it writes them, with conditional UPDATEs. Every other save names its
`update_fields` from `Workspace.EDITABLE_FIELDS` or `STATE_FIELDS`, so a stale
instance can never write an old refresh token over a new one (docs/reliability.md
rule 3). Who may see or operate a workspace is `workspaces.access`'s to say.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from workspaces.fields import EncryptedTextField


def region_choices():
    """Regions come from settings.AAC_REGIONS, never from the database."""
    return [(key, region["label"]) for key, region in settings.AAC_REGIONS.items()]


class WorkspaceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class WorkspaceManager(models.Manager.from_queryset(WorkspaceQuerySet)):
    def get_queryset(self):
        """Token columns load only when asked for.

        Pages, syncs and the admin list never hold a secret in memory, a wrong
        encryption key cannot break them (only the token code meets it), and a
        plain `save()` of such an instance cannot write a token back.
        """
        return super().get_queryset().defer(*Workspace.SECRET_FIELDS)


class Workspace(models.Model):
    class State(models.TextChoices):
        OK = "ok", "OK"
        NEEDS_REAUTH = "needs_reauth", "Needs re-authorisation"
        ERROR = "error", "Error"
        NEW = "new", "Not checked yet"

    name = models.CharField(max_length=200, unique=True)
    region = models.CharField(max_length=20, choices=region_choices)
    is_active = models.BooleanField(
        default=True, help_text="Inactive workspaces keep their history but never sync."
    )

    # Learned from AAC (GET /v4/workspaces/current).
    aac_workspace_id = models.CharField("AAC workspace id", max_length=64, blank=True)
    aac_gid = models.CharField("AAC workspace gid", max_length=64, blank=True)
    aac_name = models.CharField("AAC workspace name", max_length=255, blank=True)

    client_id = models.CharField(
        "OAuth client id",
        max_length=255,
        blank=True,
        help_text="Used to refresh tokens. Taken from the access token when blank.",
    )
    api_project_id = models.CharField(
        "API project id",
        max_length=255,
        blank=True,
        help_text="Only for API gateway calls (x-api-project-id).",
    )

    # Written only by workspaces.tokens, with conditional UPDATEs.
    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
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

    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceManager()

    # What admin forms may save; token and lease columns are never among them.
    EDITABLE_FIELDS = (
        "name",
        "region",
        "is_active",
        "client_id",
        "api_project_id",
        "refresh_token_lifetime_days",
    )
    STATE_FIELDS = ("state", "state_reason", "state_changed_at")
    IDENTITY_FIELDS = ("aac_workspace_id", "aac_gid", "aac_name")
    SECRET_FIELDS = ("access_token", "refresh_token")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def __repr__(self):
        return f"<Workspace {self.pk} {self.name!r} {self.region} {self.state}>"

    @property
    def region_config(self) -> dict:
        return settings.AAC_REGIONS[self.region]

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
        """Record the connection state; saves only the state columns."""
        if self.state == state and self.state_reason == reason:
            return
        self.state, self.state_reason = state, reason
        self.state_changed_at = timezone.now()
        if self.pk:
            self.save(update_fields=self.STATE_FIELDS)


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
