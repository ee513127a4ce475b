"""Removing a connection: its tokens go, and so do the cached rows only it saw.

The connection's row is deleted first (that wipes its tokens, and on
PostgreSQL waits for an apply that locked it, `schedules.sync.apply`), then its
bit leaves every cached row, and rows no other connection lists are deleted:
what only it could see is no longer known to be there. One transaction, so a
page never shows the cache half-cleared.
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from schedules import summaries
from schedules.sync.catalog import KINDS
from workspaces.models import Connection

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Removed:
    connection: str
    # Rows deleted per kind (only this connection listed them).
    deleted: dict[str, int]


def remove_connection(connection: Connection) -> Removed:
    """Delete the connection and the rows only it listed."""
    workspace_id, bit, name = connection.workspace_id, connection.bit, str(connection)
    deleted = {}
    with transaction.atomic():
        Connection.objects.filter(pk=connection.pk).delete()
        for kind in KINDS:
            rows = kind.model.objects.filter(workspace_id=workspace_id)
            rows.alias(mine=F("seen_by").bitand(bit)).exclude(mine=0).update(
                seen_by=F("seen_by").bitand(~bit)
            )
            deleted[kind.name] = rows.filter(seen_by=0).delete()[0]
        summaries.record(workspace_id)
    logger.info("Removed connection %s; rows only it listed: %s", name, deleted)
    return Removed(connection=name, deleted=deleted)
