"""Fresh access tokens: take the connection's refresh lease, or wait for its holder.

The lease is taken by a conditional single-row UPDATE of the connection (works
across processes on SQLite and PostgreSQL, holds no transaction across HTTP);
the winner re-reads the row and refreshes; losers poll the row and take the
winner's token (docs/reliability.md rule 4). Each connection has its own
lease, so two connections of one workspace never wait on each other.
"""

import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from workspaces.models import Connection
from workspaces.tokens.problems import TokenProblem
from workspaces.tokens.refresh import MAX_REFRESH_POSTS, refresh_holding
from workspaces.tokens.rows import (
    check_issuer_of,
    load,
    region_of,
    replaced,
    valid_for,
)

# How often a caller that lost the lease looks at the row again.
POLL_SECONDS = 0.1


@sensitive_variables()
def fresh_access_token(
    connection: Connection, *, min_validity: int | None = None
) -> str:
    """An access token valid for at least `min_validity` seconds, refreshed if needed.

    Raises TokenProblem, without calling AAC, when the connection needs
    re-authorisation, its region is not configured or its token was issued
    for another region.
    """
    if min_validity is None:
        min_validity = settings.AAC_ACCESS_TOKEN_MIN_VALIDITY
    row = _checked(connection)
    if valid_for(row, min_validity):
        return row.access_token
    return _refresh(connection, stale_token=row.access_token)


@sensitive_variables()
def force_refresh(connection: Connection, *, rejected_token: str | None = None) -> str:
    """Refresh because AAC refused `rejected_token` (default: the stored one).

    When another caller has already replaced the rejected token, its
    replacement is returned instead of spending another refresh.
    """
    row = _checked(connection)
    stale_token = row.access_token if rejected_token is None else rejected_token
    if replaced(row, stale_token):
        return row.access_token
    return _refresh(connection, stale_token=stale_token)


@sensitive_variables()
def _checked(connection: Connection) -> Connection:
    """The token row, once its region is configured and its issuer is the region's."""
    row = load(connection)
    check_issuer_of(connection, row, region_of(connection, row))
    return row


@sensitive_variables()
def _refresh(connection: Connection, *, stale_token: str) -> str:
    """Replace `stale_token` under the lease, or take whoever replaced it first."""
    deadline = time.monotonic() + _wait_budget()
    while (lease := _claim(connection.pk)) is None:
        if time.monotonic() > deadline:
            raise TokenProblem(
                "Another token refresh of this connection is still running; "
                "try again in a minute.",
                kind=TokenProblem.BUSY,
            )
        time.sleep(POLL_SECONDS)
        row = load(connection)
        if replaced(row, stale_token):
            return row.access_token
    try:
        # Someone may have refreshed between our read and our claim.
        row = _checked(connection)
        if replaced(row, stale_token):
            return row.access_token
        return refresh_holding(connection, row, lease)
    finally:
        _release(connection.pk, lease)


def _claim(connection_id: int) -> uuid.UUID | None:
    """Take the refresh lease if it is free or expired; None when someone holds it."""
    lease, now = uuid.uuid4(), timezone.now()
    won = (
        Connection.objects.filter(pk=connection_id)
        .filter(Q(refresh_lease_id__isnull=True) | Q(refresh_lease_expires_at__lt=now))
        .update(
            refresh_lease_id=lease,
            refresh_lease_expires_at=now
            + timedelta(seconds=settings.AAC_REFRESH_LEASE_SECONDS),
        )
    )
    return lease if won else None


def _release(connection_id: int, lease: uuid.UUID) -> None:
    Connection.objects.filter(pk=connection_id, refresh_lease_id=lease).update(
        refresh_lease_id=None, refresh_lease_expires_at=None
    )


def _wait_budget() -> float:
    """How long a loser waits: the winner's longest refresh."""
    return MAX_REFRESH_POSTS * (
        settings.AAC_CONNECT_TIMEOUT + settings.AAC_READ_TIMEOUT
    )
