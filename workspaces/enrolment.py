"""Adding a connection to a workspace: a free slot, then its pasted pair.

The slot is the connection's bit in the `seen_by` mask of the rows it lists;
the lowest free one is taken, and the database's unique (workspace, slot)
settles two additions racing. Removing a connection touches the cache too,
so it is `schedules.connections`'s.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.views.decorators.debug import sensitive_variables

from workspaces.models import MAX_CONNECTIONS, Connection, Workspace
from workspaces.tokens.pasted import store_pasted_tokens

# Tries to take a slot when another addition takes the same one meanwhile.
SLOT_ATTEMPTS = 3


@sensitive_variables()
def add_connection(
    connection: Connection, *, access_token: str, refresh_token: str
) -> Connection:
    """Save the new, unsaved `connection` (its workspace and fields set) in a free
    slot, holding the pasted pair; or raise ValidationError."""
    for _ in range(SLOT_ATTEMPTS):
        connection.slot = _free_slot(connection.workspace)
        try:
            with transaction.atomic():
                connection.save(force_insert=True)
                store_pasted_tokens(
                    connection, access_token=access_token, refresh_token=refresh_token
                )
                return connection
        except IntegrityError:
            connection.pk = None
            connection._state.adding = True
    raise ValidationError("Another connection was added at the same time; try again.")


def _free_slot(workspace: Workspace) -> int:
    used = set(workspace.connections.values_list("slot", flat=True))
    free = [slot for slot in range(MAX_CONNECTIONS) if slot not in used]
    if not free:
        raise ValidationError(
            f"A workspace holds at most {MAX_CONNECTIONS} connections; remove one "
            "first."
        )
    return free[0]
