from tests.aac.answers import add_page

PERSON = {
    "id": 12,
    "email": "ada@example.com",
    "name": "Ada",
    "isDisabled": False,
    "state": "active",
    "isAdmin": True,
    "lastLoginTime": "2025-03-01T10:00:00.000Z",
}


def test_it_lists_people_as_raw_items(client, rsps):
    add_page(rsps, "/v4/people", params={"limit": 100, "offset": 0}, items=[PERSON])

    assert list(client.iter_people_pages()) == [[PERSON]]


def test_it_asks_for_the_total_when_told_to(client, rsps):
    params = {"limit": 10, "offset": 0, "includeCount": "true"}
    add_page(rsps, "/v4/people", params=params, items=[PERSON], count=1)

    (page,) = client.iter_people_pages(page_size=10, include_count=True)

    assert page.total == 1
