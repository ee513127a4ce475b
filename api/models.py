"""Personal API tokens, and the answers kept for requests with an idempotency key.

A token is its owner's key to the API: it acts with exactly that user's
access (`workspaces.access` decides, as for their pages), never more, and a
read-only token never changes anything. Only the SHA-256 digest of the secret
is stored: the secret is shown once, when the token is made
(`api/tokens.py`), and a leaked database reveals no usable token.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for.")
    # The hex SHA-256 digest of the whole secret; how a request finds its token.
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The secret's first characters, so its owner can tell tokens apart.
    prefix = models.CharField(max_length=16, editable=False)
    read_only = models.BooleanField(
        default=False, help_text="Reads only: every change is refused (403)."
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Written at most once a minute (api/authentication.py).
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The tokens page: a user's tokens, newest first.
            models.Index(fields=["user", "-created_at"], name="apitoken_user_recent"),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def state(self) -> str:
        """ "active", "expired" or "revoked"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "active"


class IdempotentRequest(models.Model):
    """A request that carried an `Idempotency-Key`: the answer it got, replayed
    to a retry with the same key (api/idempotency.py).

    `status` is null while the first request is still being answered.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of the method, path and body: a key reused for another request
    # is refused.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotent_user_key")
        ]
        indexes = [
            # Pruning the expired keys.
            models.Index(fields=["created_at"], name="idempotent_created"),
        ]

    def __str__(self):
        return self.key
