"""GET /api/v1/schedules/: the table's filters, search and sort, by cursor."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.api.calls import api_client
from tests.factories import make_schedule, make_token, make_workspace

URL = "/api/v1/schedules/"


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


@pytest.fixture
def bob_api(world):
    return api_client(make_token(world.bob)[1])


def test_it_lists_the_schedules_of_the_workspaces_the_token_user_sees(world, bob_api):
    make_schedule(world.acme, name="Nightly", aac_id=11)
    make_schedule(world.globex, name="Not bob's", aac_id=12)
    response = bob_api.get(URL)
    assert response.status_code == 200
    assert names(response) == ["Nightly"]
    row = response.json()["results"][0]
    assert row["aac_id"] == 11
    assert row["workspace"] == world.acme.pk
    assert row["workspace_name"] == "Acme EU"


def test_it_writes_times_in_iso_8601_with_their_offset(world, bob_api):
    moment = datetime(2026, 12, 1, 18, 30, tzinfo=UTC)
    make_schedule(world.acme, next_run_at=moment)
    row = bob_api.get(URL).json()["results"][0]
    assert row["next_run_at"] == "2026-12-01T18:30:00+00:00"


def test_it_filters_searches_and_sorts_as_the_table_does(world, bob_api):
    make_schedule(world.acme, name="b nightly", enabled=True, aac_id=1)
    make_schedule(world.acme, name="a nightly", enabled=False, aac_id=2)
    make_schedule(world.acme, name="c hourly", enabled=True, aac_id=3)
    assert names(bob_api.get(URL, {"q": "nightly"})) == ["a nightly", "b nightly"]
    assert names(bob_api.get(URL, {"enabled": "yes", "sort": "-name"})) == [
        "c hourly",
        "b nightly",
    ]


def test_it_refuses_an_unknown_filter_value_with_its_name(world, bob_api):
    response = bob_api.get(URL, {"sort": "colour"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"].startswith("sort: ")
    assert "sort" in error["details"]


def test_it_pages_by_cursor_without_repeating_rows_a_sync_shifts(world, bob_api):
    for n in range(5):
        make_schedule(world.acme, name=f"s{n}", aac_id=n + 1)
    first = bob_api.get(URL, {"limit": 2}).json()
    assert [r["name"] for r in first["results"]] == ["s0", "s1"]
    # A sync adds a schedule before the cursor and removes one after it.
    make_schedule(world.acme, name="a-new", aac_id=99)
    world.acme.schedules.filter(name="s3").delete()
    second = bob_api.get(URL, {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [r["name"] for r in second["results"]] == ["s2", "s4"]
    assert second["next_cursor"] is None
    assert second["next"] is None


def test_it_pages_through_empty_values_in_both_directions(world, bob_api):
    moment = datetime(2026, 12, 1, tzinfo=UTC)
    for n in range(4):
        make_schedule(
            world.acme,
            name=f"s{n}",
            aac_id=n + 1,
            next_run_at=moment if n % 2 else None,
        )
    for sort, expected in [
        ("next", ["s1", "s3", "s0", "s2"]),
        ("-next", ["s2", "s0", "s3", "s1"]),
    ]:
        seen, cursor = [], None
        while True:
            query = {"limit": 1, "sort": sort} | ({"cursor": cursor} if cursor else {})
            page = bob_api.get(URL, query).json()
            seen += [r["name"] for r in page["results"]]
            if not (cursor := page["next_cursor"]):
                break
        assert seen == expected, sort


def test_it_says_a_malformed_cursor_is_one(world, bob_api):
    response = bob_api.get(URL, {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert response.json()["error"]["details"]["cursor"]


def test_it_answers_a_workspace_filter_outside_the_users_workspaces_as_invalid(
    world, bob_api
):
    other = make_workspace("Initech")
    response = bob_api.get(URL, {"workspace": other.pk})
    assert response.status_code == 400


def test_a_schedule_comes_with_its_recent_runs(world, bob_api):
    schedule = make_schedule(world.acme, aac_id=77)
    url = reverse("api:schedule", args=[world.acme.pk, 77])
    body = bob_api.get(url).json()
    assert body["id"] == schedule.pk
    assert body["recent_runs"] == []
