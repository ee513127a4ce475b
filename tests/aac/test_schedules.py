import pytest

from aac.errors import AccessDenied, ProtocolError
from tests.aac.answers import add_page, items, v4_error
from tests.aac.conftest import API

SCHEDULES = f"{API}/v4/schedules"


def add_schedules(rsps, *, limit: int, offset: int, n: int, first: int) -> None:
    params = {"limit": limit, "offset": offset}
    add_page(rsps, "/v4/schedules", params=params, items=items(first, n))


def test_it_pages_by_limit_and_offset_until_a_short_page(client, rsps):
    add_schedules(rsps, limit=2, offset=0, n=2, first=1)
    add_schedules(rsps, limit=2, offset=2, n=2, first=3)
    add_schedules(rsps, limit=2, offset=4, n=1, first=5)

    pages = list(client.iter_schedule_pages(page_size=2))

    assert [[s["id"] for s in page] for page in pages] == [[1, 2], [3, 4], [5]]
    assert [page.offset for page in pages] == [0, 2, 4]
    assert len(rsps.calls) == 3


def test_it_stops_at_an_empty_page_after_an_exact_multiple(client, rsps):
    add_schedules(rsps, limit=2, offset=0, n=2, first=1)
    add_schedules(rsps, limit=2, offset=2, n=2, first=3)
    add_schedules(rsps, limit=2, offset=4, n=0, first=5)

    pages = list(client.iter_schedule_pages(page_size=2))

    assert pages == [items(1, 2), items(3, 2), []]
    assert len(rsps.calls) == 3


def test_it_fetches_a_page_only_when_asked_for(client, rsps):
    add_schedules(rsps, limit=2, offset=0, n=2, first=1)

    pages = client.iter_schedule_pages(page_size=2)
    first = next(pages)

    assert first == items(1, 2)
    assert len(rsps.calls) == 1


def test_it_uses_the_clients_page_size_by_default(client, rsps):
    client.page_size = 500
    add_schedules(rsps, limit=500, offset=0, n=3, first=1)

    assert list(client.iter_schedule_pages()) == [items(1, 3)]


@pytest.mark.parametrize("page_size", [-1, 1001])
def test_it_refuses_a_page_size_aac_would_reject(client, rsps, page_size):
    with pytest.raises(ValueError, match="page size"):
        next(client.iter_schedule_pages(page_size=page_size))


def test_it_counts_schedules(client, rsps):
    rsps.get(f"{SCHEDULES}/count", json={"count": 2500})

    assert client.count_schedules() == 2500


@pytest.mark.parametrize("body", [{"count": "12"}, {"count": True}, {"count": -1}, {}])
def test_it_refuses_a_count_that_is_not_a_count(client, rsps, body):
    rsps.get(f"{SCHEDULES}/count", json=body)

    with pytest.raises(ProtocolError, match="count"):
        client.count_schedules()


def test_it_reads_one_schedule(client, rsps):
    rsps.get(f"{SCHEDULES}/5", json={"id": 5, "name": "Nightly"})

    assert client.get_schedule(5) == {"id": 5, "name": "Nightly"}


@pytest.mark.parametrize(
    "body", [{"name": "no id"}, {"id": "5"}, {"id": True}, [{"id": 5}]]
)
def test_it_refuses_a_schedule_without_an_int_id(client, rsps, body):
    rsps.get(f"{SCHEDULES}/5", json=body, headers={"x-trifacta-request-id": "r2"})

    with pytest.raises(ProtocolError) as info:
        client.get_schedule(5)

    assert info.value.request_id == "r2"
    assert len(rsps.calls) == 1


def test_it_refuses_a_schedule_id_that_is_not_an_int(client):
    with pytest.raises(ValueError, match="format code"):
        client.get_schedule("5/../../admin")


@pytest.mark.parametrize("action", ["enable", "disable"])
def test_it_enables_and_disables_a_schedule(client, rsps, action):
    headers = {"x-trifacta-request-id": "req-5"}
    rsps.post(
        f"{SCHEDULES}/5/{action}", json={"id": 5, "enabled": True}, headers=headers
    )

    changed = getattr(client, f"{action}_schedule")(5)
    assert changed.schedule == {"id": 5, "enabled": True}
    assert (changed.enabled, changed.request_id) == (True, "req-5")
    assert rsps.calls[0].request.body is None


@pytest.mark.parametrize("action", ["enable", "disable"])
def test_it_says_when_only_the_owner_may_change_a_schedule(client, rsps, action):
    body = v4_error("AccessControlException", "Only the owner can edit a schedule")
    rsps.post(f"{SCHEDULES}/5/{action}", status=403, json=body)

    with pytest.raises(AccessDenied) as info:
        getattr(client, f"{action}_schedule")(5)

    assert info.value.status == 403
    assert info.value.code == "AccessControlException"
    assert "Only the owner" in str(info.value)


def test_it_refuses_an_enabled_schedule_without_an_id(client, rsps):
    rsps.post(f"{SCHEDULES}/5/enable", json={"enabled": True})

    with pytest.raises(ProtocolError, match="`id`"):
        client.enable_schedule(5)
