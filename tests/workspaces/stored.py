"""Read what the database really holds for a workspace's tokens."""

from datetime import timedelta

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from workspaces.models import Workspace


def raw_tokens(workspace_id: int) -> tuple[str, str]:
    """The stored ciphertexts, as the columns hold them (no decryption)."""
    return Workspace.objects.values_list(
        Cast("access_token", TextField()), Cast("refresh_token", TextField())
    ).get(pk=workspace_id)


def tokens(workspace_id: int) -> tuple[str, str]:
    """The decrypted stored pair."""
    return Workspace.objects.values_list("access_token", "refresh_token").get(
        pk=workspace_id
    )


def expire_soon(workspace_id: int, seconds: float = 30) -> None:
    """Make the stored access token expire within the refresh margin."""
    Workspace.objects.filter(pk=workspace_id).update(
        access_token_expires_at=timezone.now() + timedelta(seconds=seconds)
    )
