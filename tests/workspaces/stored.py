"""Read what the database really holds for a connection's tokens."""

from datetime import timedelta

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from workspaces.models import Connection


def raw_tokens(connection_id: int) -> tuple[str, str]:
    """The stored ciphertexts, as the columns hold them (no decryption)."""
    return Connection.objects.values_list(
        Cast("access_token", TextField()), Cast("refresh_token", TextField())
    ).get(pk=connection_id)


def tokens(connection_id: int) -> tuple[str, str]:
    """The decrypted stored pair."""
    return Connection.objects.values_list("access_token", "refresh_token").get(
        pk=connection_id
    )


def expire_soon(connection_id: int, seconds: float = 30) -> None:
    """Make the stored access token expire within the refresh margin."""
    Connection.objects.filter(pk=connection_id).update(
        access_token_expires_at=timezone.now() + timedelta(seconds=seconds)
    )


def reread(connection) -> Connection:
    """The connection as the database holds it now (tokens deferred)."""
    return Connection.objects.get(pk=connection.pk)
