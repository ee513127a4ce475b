"""Which connection may act on an AAC object: the one question every action asks first.

AAC lets only an asset's owner change its schedule (docs/aac-api.md,
Schedules), so a change goes through the owner's own connection; a run may go
through any connection that sees the asset (its `seen_by` mask, kept by the
sync), the owner's first, so that AAC records the run as theirs. Connections
needing re-authorisation never act. Nothing calls AAC here: the caller passes
what the cache knows of the object and gets a connection, or a reason fit to
show.
"""

import enum

from workspaces.models import Connection, Workspace

State = Connection.State


class Purpose(enum.Enum):
    CHANGE = "change"  # enable, disable, delete a schedule
    RUN = "run"  # start a run of the asset


class NoConnection(Exception):
    """No connection may act; `message` says whose account is needed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def choose_connection(
    workspace: Workspace,
    *,
    purpose: Purpose,
    owner_id: str,
    seen_by: int,
    owner_label: str = "",
) -> Connection:
    """The connection to act through on an object of `workspace`.

    `owner_id` is the AAC person who owns the object ("" when unknown),
    `seen_by` the mask of connections that listed it, `owner_label` how to
    name the owner in the answer. Raises NoConnection with the reason.
    """
    connections = list(workspace.connections.all())
    usable = [c for c in connections if c.state != State.NEEDS_REAUTH]
    owner = owner_label or (f"AAC person {owner_id}" if owner_id else "its owner")
    owners = [c for c in usable if owner_id and c.aac_person_id == owner_id]
    if purpose is Purpose.CHANGE:
        if owners:
            return owners[0]
        if any(c.aac_person_id == owner_id for c in connections if owner_id):
            raise NoConnection(
                f"Only {owner} may change it, and their connection needs "
                "re-authorisation."
            )
        raise NoConnection(
            f"Only {owner} may change it in AAC; ask them to connect their AAC "
            "account to this workspace."
        )
    seeing = [c for c in usable if seen_by & c.bit]
    if seeing:
        return next((c for c in seeing if c in owners), seeing[0])
    raise NoConnection(
        "No working connection sees it any more; re-sync, or ask "
        f"{owner} to connect their AAC account."
    )
