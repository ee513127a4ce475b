"""Fixtures of the client-over-HTTP tests; the helpers live in `world.py`."""

from contextlib import ExitStack

import pytest

from tests.aac.simulator.world import World, Worlds
from tests.clocks import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_world(clock) -> Worlds:
    """Build a served simulator with options; its servers stop after the test."""
    with ExitStack() as stack:
        yield Worlds(stack, clock)


@pytest.fixture
def world(make_world) -> World:
    return make_world()
