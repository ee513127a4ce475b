"""A workspace's state, read off its connections: what its badge, card and buttons say.

A workspace has no state of its own: it can sync while any connection can,
and it needs re-authorisation when every connection does. Computed from
connections already loaded (the pages prefetch them, secrets deferred), never
stored, so it cannot drift from the connections it sums up.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from workspaces.models import Connection

State = Connection.State

# The state of a workspace without any connection.
NONE = "none"
NO_CONNECTION = (
    "No connection: paste an AAC token pair in the admin, or use "
    "“Connect my AAC account” on the workspace's connections page."
)
LABELS = {**dict(State.choices), NONE: "No connection"}


@dataclass(frozen=True)
class Standing:
    state: str
    reason: str = ""
    # Connections that do not work while others do: "who: state: why".
    problems: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return LABELS[self.state]

    @property
    def may_sync(self) -> bool:
        """Whether a sync has any connection to try."""
        return self.state not in (NONE, State.NEEDS_REAUTH)


def standing(connections: Iterable[Connection]) -> Standing:
    connections = list(connections)
    if not connections:
        return Standing(NONE, NO_CONNECTION)
    several = len(connections) > 1
    by_state = {state: [c for c in connections if c.state == state] for state in State}
    if by_state[State.OK]:
        problems = [
            f"{c.person}: {c.get_state_display()}"
            + (f": {c.state_reason}" if c.state_reason else "")
            for c in connections
            if c.state != State.OK
        ]
        return Standing(State.OK, problems=problems)
    # No connection works: the most hopeful state speaks for the workspace.
    state = next(s for s in (State.NEW, State.ERROR, State.NEEDS_REAUTH) if by_state[s])
    first = by_state[state][0]
    reason = f"{first.person}: {first.state_reason}" if several else first.state_reason
    return Standing(state, reason)
