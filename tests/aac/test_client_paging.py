import pytest
from responses import matchers

from aac.errors import ProtocolError
from tests.aac.conftest import API

SCHEDULES = f"{API}/v4/schedules"


def schedules(first_id: int, n: int) -> list[dict]:
    return [{"id": i, "name": f"Schedule {i}"} for i in range(first_id, first_id + n)]


def add_page(rsps, *, limit: int, offset: int, items: list[dict]) -> None:
    rsps.get(
        SCHEDULES,
        json={"data": items},
        match=[matchers.query_param_matcher({"limit": limit, "offset": offset})],
    )


def test_it_pages_by_limit_and_offset_until_a_short_page(client, rsps):
    add_page(rsps, limit=2, offset=0, items=schedules(1, 2))
    add_page(rsps, limit=2, offset=2, items=schedules(3, 2))
    add_page(rsps, limit=2, offset=4, items=schedules(5, 1))

    pages = list(client.iter_schedule_pages(page_size=2))

    assert [[s["id"] for s in page] for page in pages] == [[1, 2], [3, 4], [5]]
    assert len(rsps.calls) == 3


def test_it_stops_at_an_empty_page_after_an_exact_multiple(client, rsps):
    add_page(rsps, limit=2, offset=0, items=schedules(1, 2))
    add_page(rsps, limit=2, offset=2, items=schedules(3, 2))
    add_page(rsps, limit=2, offset=4, items=[])

    pages = list(client.iter_schedule_pages(page_size=2))

    assert pages == [schedules(1, 2), schedules(3, 2), []]
    assert len(rsps.calls) == 3


def test_it_fetches_a_page_only_when_asked_for(client, rsps):
    add_page(rsps, limit=2, offset=0, items=schedules(1, 2))

    pages = client.iter_schedule_pages(page_size=2)
    first = next(pages)

    assert first == schedules(1, 2)
    assert len(rsps.calls) == 1


def test_it_uses_the_clients_page_size_by_default(client, rsps):
    client.page_size = 500
    add_page(rsps, limit=500, offset=0, items=schedules(1, 3))

    assert list(client.iter_schedule_pages()) == [schedules(1, 3)]


@pytest.mark.parametrize("page_size", [-1, 1001])
def test_it_refuses_a_page_size_aac_would_reject(client, rsps, page_size):
    with pytest.raises(ValueError, match="page size"):
        next(client.iter_schedule_pages(page_size=page_size))


def test_it_refuses_a_page_longer_than_the_limit(client, rsps):
    add_page(rsps, limit=2, offset=0, items=schedules(1, 3))

    with pytest.raises(ProtocolError, match="3 items in a page of 2"):
        list(client.iter_schedule_pages(page_size=2))


def test_it_counts_schedules(client, rsps):
    rsps.get(f"{SCHEDULES}/count", json={"count": 2500})

    assert client.count_schedules() == 2500


@pytest.mark.parametrize("body", [{"count": "12"}, {"count": True}, {"count": -1}, {}])
def test_it_refuses_a_count_that_is_not_a_count(client, rsps, body):
    rsps.get(f"{SCHEDULES}/count", json=body)

    with pytest.raises(ProtocolError, match="count"):
        client.count_schedules()
