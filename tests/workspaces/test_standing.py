"""A workspace's state, read off its connections."""

import pytest

from workspaces.models import Connection
from workspaces.standing import NONE, standing

State = Connection.State


def connection(slot, state, reason="", name=""):
    return Connection(slot=slot, state=state, state_reason=reason, person_name=name)


def test_no_connection_says_how_to_add_one():
    found = standing([])

    assert (found.state, found.label, found.may_sync) == (NONE, "No connection", False)
    assert "Connect my AAC account" in found.reason


def test_one_working_connection_is_enough_and_the_others_problems_are_said():
    found = standing(
        [
            connection(0, State.OK, name="Ann"),
            connection(1, State.NEEDS_REAUTH, "Spent.", name="Bob"),
        ]
    )

    assert (found.state, found.may_sync) == (State.OK, True)
    assert found.problems == ["Bob: Needs re-authorisation: Spent."]


@pytest.mark.parametrize(
    ("states", "expected", "may_sync"),
    [
        ((State.NEW, State.ERROR), State.NEW, True),
        ((State.ERROR, State.NEEDS_REAUTH), State.ERROR, True),
        ((State.NEEDS_REAUTH, State.NEEDS_REAUTH), State.NEEDS_REAUTH, False),
    ],
)
def test_without_a_working_connection_the_most_hopeful_state_speaks(
    states, expected, may_sync
):
    found = standing(
        [connection(i, state, "Why.", name=f"P{i}") for i, state in enumerate(states)]
    )

    assert (found.state, found.may_sync) == (expected, may_sync)
    assert found.reason.endswith(": Why.")


def test_a_single_connection_gives_its_reason_as_it_is():
    assert standing([connection(0, State.ERROR, "Down.")]).reason == "Down."
