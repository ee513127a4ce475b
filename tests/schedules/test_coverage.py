"""Coverage from the rows alone: when a connection's list says it sees others'."""

from datetime import UTC, datetime

from schedules.coverage import Extent, measure
from schedules.models import Person
from workspaces.models import Connection

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def connection(slot, person="", listed_at=NOW):
    return Connection(slot=slot, aac_person_id=person, listed_at=listed_at)


def people(*ids):
    return [Person(aac_id=i, name=f"P{i}") for i in ids]


def test_a_connection_listing_another_owners_schedules_makes_it_complete():
    found = measure([connection(0, "1")], people(1, 2), [(1, "1", 5), (1, "2", 3)])

    assert found.extent == Extent.COMPLETE


def test_own_schedules_alone_are_the_schedules_of_one_person():
    found = measure([connection(0, "1")], people(1, 2, 3), [(1, "1", 5)])

    assert found.extent == Extent.PARTIAL
    assert found.summary == "Partial: the schedules of 1 of 3 people are visible."
    assert found.missing == ["P2", "P3"]


def test_schedules_without_an_owner_prove_nothing():
    found = measure([connection(0, "1")], people(1, 2), [(1, "1", 5), (1, "", 2)])

    assert found.extent == Extent.PARTIAL


def test_a_connection_of_an_unknown_person_is_wide_only_with_two_owners():
    one_owner = measure([connection(0)], people(1, 2), [(1, "2", 4)])
    two_owners = measure([connection(0)], people(1, 2), [(1, "1", 4), (1, "2", 1)])

    assert one_owner.extent == Extent.PARTIAL
    assert two_owners.extent == Extent.COMPLETE


def test_rows_only_a_failing_connection_lists_are_counted_apart():
    earlier = datetime(2026, 3, 1, tzinfo=UTC)
    working, failing = connection(0, "1"), connection(1, "2", listed_at=earlier)

    found = measure(
        [working, failing], people(1, 2), [(1, "1", 5), (2, "2", 3), (3, "2", 1)]
    )

    assert (found.unconfirmed, found.confirmed_at) == (3, earlier)
    assert found.visible == ["P1"]
