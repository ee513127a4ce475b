"""`GET /v4/jobLibrary` and `GET /v4/planSnapshotRuns`: filters, dates, paging."""

import json
from datetime import datetime

import pytest

from aacsim import Simulator
from aacsim.api import handle
from aacsim.messages import SimRequest
from tests.clocks import Clock


def epoch_ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def with_runs(remote):
    """A workspace whose whole run history fits one page of 1000."""
    return remote.workspace(schedules=20)


def library(remote, pair, path="/v4/jobLibrary", **params) -> dict:
    answer = remote.get(path, pair, params={"limit": 1000, **params})
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["data"]) < 1000
    return answer.json()


def test_it_lists_every_run_newest_first_with_a_count(remote):
    workspace, pair = with_runs(remote)

    body = library(remote, pair, includeCount="true")

    created = [item["createdAt"] for item in body["data"]]
    assert created == sorted(created, reverse=True)
    assert body["count"] == len(body["data"]) == remote.sim.run_count(workspace.id)
    ids = [item["id"] for item in body["data"]]
    assert ids == sorted(ids, reverse=True)


def test_it_says_what_each_run_ran_and_how_it_started(remote):
    workspace, pair = with_runs(remote)

    items = library(remote, pair)["data"]

    for item in items:
        kind = item["ranfor"]
        asset = workspace.assets.get(kind, item[kind]["id"])
        assert item[kind]["name"] == asset.name
        assert item["ranfrom"] in ("ui", "schedule", "api")
        assert (item["scheduleId"] is not None) == (item["ranfrom"] == "schedule")
        assert (item["errorMessage"] is not None) == (item["status"] == "Failed")
        assert (item["finishedAt"] is None) == (
            item["status"] in ("Created", "InProgress")
        )
    scheduled = [i for i in items if i["scheduleId"]]
    for item in scheduled:
        schedule = workspace.schedules[item["scheduleId"]]
        assert item["creator"]["id"] == schedule["createdBy"]


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"status": "Failed"}, lambda i: i["status"] == "Failed"),
        (
            {"status": "Complete,Canceled"},
            lambda i: i["status"] in ("Complete", "Canceled"),
        ),
        ({"ranfrom": "schedule"}, lambda i: i["ranfrom"] == "schedule"),
        ({"ranfrom": "ui,api"}, lambda i: i["ranfrom"] != "schedule"),
        ({"ranfor": "workflow"}, lambda i: "jobId" in i),
        (
            {"ranfor": "plan", "status": "Failed"},
            lambda i: "plan" in i and i["status"] == "Failed",
        ),
    ],
)
def test_it_filters_the_job_library(connect, params, check):
    # A still clock: a run falling due between the two lists is not a filter's.
    remote = connect(clock=Clock())
    _, pair = with_runs(remote)
    every = library(remote, pair)["data"]

    body = library(remote, pair, includeCount="true", **params)

    expected = [item["id"] for item in every if check(item)]
    assert expected
    assert [item["id"] for item in body["data"]] == expected
    assert body["count"] == len(expected)


def test_it_filters_by_who_ran_it(remote):
    _, pair = with_runs(remote)
    every = library(remote, pair)["data"]
    person = every[0]["creator"]["id"]

    mine = library(remote, pair, runBy=str(person))["data"]

    assert mine == [item for item in every if item["creator"]["id"] == person]


def test_it_lists_runs_created_in_a_date_range(remote):
    _, pair = with_runs(remote)
    every = library(remote, pair, sort="createdAt")["data"]
    since, until = every[len(every) // 2]["createdAt"], every[-5]["createdAt"]

    body = library(
        remote,
        pair,
        sort="createdAt",
        includeCount="true",
        **{
            "dateFilter[createdAt][gte]": epoch_ms(since),
            "dateFilter[createdAt][lte]": epoch_ms(until),
        },
    )

    expected = [i for i in every if since <= i["createdAt"] <= until]
    assert body["data"] == expected
    assert body["count"] == len(expected)


@pytest.mark.parametrize("sort", ["createdAt", "-createdAt", "id", "-id"])
def test_it_pages_without_gaps_or_repeats(remote, sort):
    _, pair = with_runs(remote)
    every = library(remote, pair, sort=sort)["data"]

    pages = [
        library(remote, pair, sort=sort, limit=37, offset=offset)["data"]
        for offset in range(0, len(every) + 37, 37)
    ]

    assert [item for page in pages for item in page] == every
    assert len(pages[-1]) < 37


def test_it_pages_a_filtered_list(remote):
    _, pair = with_runs(remote)
    failed = library(remote, pair, status="Failed")["data"]

    page = library(
        remote, pair, status="Failed", limit=3, offset=2, includeCount="true"
    )

    assert page["data"] == failed[2:5]
    assert page["count"] == len(failed)


def test_it_lists_plan_runs_with_the_same_filters(remote):
    workspace, pair = with_runs(remote)
    plan_groups = library(remote, pair, ranfor="plan")["data"]

    runs = library(remote, pair, "/v4/planSnapshotRuns", includeCount="true")
    failed = library(remote, pair, "/v4/planSnapshotRuns", status="Failed")

    assert [r["id"] for r in runs["data"]] == [
        g["planSnapshotRun"]["id"] for g in plan_groups
    ]
    assert runs["count"] == len(plan_groups)
    assert {r["status"] for r in failed["data"]} == {"Failed"}
    assert all(
        r["plan"]["id"] in workspace.assets.by_kind["plan"] for r in runs["data"]
    )


def test_it_shows_a_per_owner_token_the_runs_of_what_it_sees(connect):
    remote = connect(list_scope="owner")
    workspace, pair = remote.workspace(schedules=40)
    me = workspace.people[0]["id"]

    items = library(remote, pair, includeCount="true")

    assert 0 < items["count"] < remote.sim.run_count(workspace.id)
    for item in items["data"]:
        kind = item["ranfor"]
        assert workspace.assets.get(kind, item[kind]["id"]).visible_to(me)


@pytest.mark.parametrize(
    "params",
    [
        {"status": "Done"},
        {"ranfrom": "cli"},
        {"ranfor": "report"},
        {"runBy": "alice"},
        {"sort": "name"},
        {"limit": "0"},
        {"dateFilter[updatedAt][gte]": "1"},
        {"dateFilter[createdAt][after]": "1"},
        {"dateFilter[createdAt][gte]": "yesterday"},
    ],
)
@pytest.mark.parametrize("path", ["/v4/jobLibrary", "/v4/planSnapshotRuns"])
def test_it_refuses_bad_filters(remote, path, params):
    _, pair = remote.workspace(schedules=3)

    answer = remote.get(path, pair, params=params)

    assert answer.status_code == 400
    assert answer.json()["exception"]["name"] == "ApiValidationFailed"


def test_it_lists_the_new_runs_of_a_long_history_from_a_date():
    """Sanity for the run-history benchmark; its timings are in the README."""
    clock = Clock()
    sim = Simulator(seed=1, issuer="https://sim.test/as", clock=clock)
    workspace = sim.add_workspace(name="Big", schedules=5000)
    pair = sim.new_token_pair(workspace.id)
    history = sim.run_count(workspace.id)
    watermark = int(clock.now * 1000)  # no trigger fires on this very second
    sim.add_runs(workspace.id, 500)

    answer = handle(
        sim,
        SimRequest.build(
            method="GET",
            surface="api",
            target="/v4/jobLibrary?sort=createdAt&limit=1000&includeCount=true"
            f"&dateFilter[createdAt][gte]={watermark}",
            headers=[("Authorization", f"Bearer {pair.access_token}")],
        ),
    )

    body = json.loads(answer.body)
    assert history > 150_000
    assert body["count"] == len(body["data"]) == 500
    assert body["data"][0]["id"] == workspace.runs.base + history
