"""The pager under every list call, exercised through `/v4/people`."""

import pytest

from aac import Page
from aac.errors import ProtocolError
from tests.aac.answers import add_page, items
from tests.aac.conftest import API

PEOPLE = "/v4/people"


def page_params(limit: int, offset: int, **more) -> dict:
    return {"limit": limit, "offset": offset, **more}


def test_it_yields_pages_that_are_lists_with_their_offset_and_total(client, rsps):
    params = page_params(2, 0, includeCount="true")
    add_page(rsps, PEOPLE, params=params, items=items(1, 2), count=3)
    params = page_params(2, 2, includeCount="true")
    add_page(rsps, PEOPLE, params=params, items=items(3, 1), count=3)

    pages = list(client.iter_people_pages(page_size=2, include_count=True))

    assert pages == [items(1, 2), items(3, 1)]
    assert all(isinstance(page, Page) for page in pages)
    assert [(page.offset, page.total) for page in pages] == [(0, 3), (2, 3)]
    assert repr(pages[1]) == "Page(offset=2, total=3, items=1)"


def test_it_stops_without_an_empty_page_once_the_total_is_reached(client, rsps):
    params = page_params(2, 0, includeCount="true")
    add_page(rsps, PEOPLE, params=params, items=items(1, 2), count=4)
    params = page_params(2, 2, includeCount="true")
    add_page(rsps, PEOPLE, params=params, items=items(3, 2), count=4)

    pages = list(client.iter_people_pages(page_size=2, include_count=True))

    assert len(pages) == 2
    assert len(rsps.calls) == 2


def test_it_leaves_the_total_unknown_when_aac_does_not_send_one(client, rsps):
    add_page(rsps, PEOPLE, params=page_params(5, 0), items=items(1, 2))

    (page,) = client.iter_people_pages(page_size=5)

    assert page.total is None


def test_it_refuses_a_short_page_before_the_total(client, rsps):
    # A service that quietly capped `limit` at 2 would otherwise look finished.
    params = page_params(5, 0, includeCount="true")
    add_page(rsps, PEOPLE, params=params, items=items(1, 2), count=9)

    with pytest.raises(ProtocolError, match="short page before the end"):
        list(client.iter_people_pages(page_size=5, include_count=True))


def test_it_refuses_a_page_longer_than_the_limit(client, rsps):
    add_page(rsps, PEOPLE, params=page_params(2, 0), items=items(1, 3))

    with pytest.raises(ProtocolError, match="3 items in a page of 2"):
        list(client.iter_people_pages(page_size=2))


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"items": []}, "`data`"),
        ({"data": {"id": 1}}, "`data`"),
        ({"data": [{"id": 1}, 2]}, "data[1]"),
        ({"data": [{"id": True}]}, "data[0].id"),
        ({"data": [{"id": "1"}]}, "data[0].id"),
        ({"data": [], "count": "0"}, "`count`"),
        ({"data": [], "count": -1}, "`count`"),
        ([], "not a JSON object"),
    ],
)
def test_it_refuses_a_page_of_the_wrong_shape(client, rsps, body, problem):
    rsps.get(f"{API}{PEOPLE}", json=body, headers={"x-trifacta-request-id": "r3"})

    with pytest.raises(ProtocolError) as info:
        next(client.iter_people_pages())

    assert problem in str(info.value)
    assert info.value.request_id == "r3"
    assert len(rsps.calls) == 1


@pytest.mark.parametrize("page_size", [-1, 1001])
def test_it_refuses_a_page_size_out_of_bounds(client, rsps, page_size):
    with pytest.raises(ValueError, match="page size must be 1-1000"):
        next(client.iter_people_pages(page_size=page_size))

    assert len(rsps.calls) == 0


def test_lists_other_than_schedules_ask_for_100_unless_configured(client, rsps):
    # Their largest `limit` is unknown and has been seen capped near 100.
    add_page(rsps, PEOPLE, params=page_params(100, 0), items=items(1, 1))
    add_page(rsps, PEOPLE, params=page_params(250, 0), items=items(1, 1))

    list(client.iter_people_pages())
    client.list_page_size = 250
    list(client.iter_people_pages())

    assert client.page_size == 1000
