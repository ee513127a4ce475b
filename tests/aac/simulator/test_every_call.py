"""Every public method of the client answers over HTTP from the simulator."""

import pytest

from aac import AACClient
from tests.aac.simulator.calls import EVERY_CALL, NEW_CALLS


def test_the_call_table_names_every_public_method_of_the_client():
    public = {
        name
        for name in dir(AACClient)
        if not name.startswith("_") and callable(getattr(AACClient, name))
    }

    assert sorted(call.name for call in EVERY_CALL) == sorted(public)
    assert len(NEW_CALLS) == 18


@pytest.mark.parametrize("call", EVERY_CALL, ids=str)
def test_every_call_is_answered_by_the_simulator_in_one_request(world, call):
    result = call.run(world)

    assert world.requests(call.endpoint) == 1
    assert getattr(result, "request_id", "carried") is not None
