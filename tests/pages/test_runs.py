"""The runs page: filters, pages by cursor, the charts, scoping, bad input."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from pages.runs import PAGE_SIZE
from schedules.assets.rollups import after_runs
from schedules.models import Flow, Plan, Workflow
from tests.factories import make_aac_run, make_asset, make_person, make_schedule
from workspaces.models import Connection

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def runs(world):
    """Acme: a plan run by a schedule, a flow run from the UI, a workflow by
    API, over three days; Globex: one failed plan run."""
    plan = make_asset(Plan, world.acme, 1)
    flow = make_asset(Flow, world.acme, 2)
    workflow = make_asset(Workflow, world.acme, "01HZX3Q4W5E6R7T8Y9U0I1O2P3")
    schedule = make_schedule(world.acme, aac_id=77, name="Nightly plan")
    made = {
        "plan ok": make_aac_run(
            world.acme,
            asset=plan,
            created=NOW - timedelta(hours=50),
            schedule_aac_id=schedule.aac_id,
        ),
        "plan failed": make_aac_run(
            world.acme,
            asset=plan,
            status="Failed",
            created=NOW - timedelta(hours=26),
            schedule_aac_id=schedule.aac_id,
            error_message="Access denied to s3://in",
        ),
        "flow failed": make_aac_run(
            world.acme,
            asset=flow,
            status="Failed",
            created=NOW - timedelta(hours=2),
            ranfrom="ui",
            error_message="Tool 'Join' failed",
        ),
        "workflow running": make_aac_run(
            world.acme,
            asset=workflow,
            status="InProgress",
            created=NOW - timedelta(minutes=5),
            ranfrom="api",
        ),
        "globex failed": make_aac_run(
            world.globex,
            asset=make_asset(Plan, world.globex, 9),
            status="Failed",
            created=NOW - timedelta(hours=1),
        ),
    }
    for workspace in (world.acme, world.globex):
        after_runs(workspace, NOW)
    return made


def shown(response) -> list[int]:
    return [row.run.pk for row in response.context["table"].rows]


def get(client, **params):
    response = client.get(reverse("pages:runs"), params)
    assert response.status_code == 200
    return response


def chart(response, key: str) -> dict:
    charts = {c.key: c for c in response.context["charts"]}
    return charts[key].data


def test_it_lists_the_visible_runs_newest_first(login, world, runs):
    response = get(login(world.alice))

    expected = sorted(runs.values(), key=lambda run: run.aac_created_at, reverse=True)
    assert shown(response) == [run.pk for run in expected]
    assert "Access denied to s3://in" in response.text
    assert "Nightly plan" in response.text


def test_a_member_sees_the_runs_of_their_workspaces_only(login, world, runs):
    response = get(login(world.bob))

    assert runs["globex failed"].pk not in shown(response)
    assert len(shown(response)) == 4
    # A workspace they cannot see is not a filter they can choose: ignored.
    assert shown(get(login(world.bob), workspace=world.globex.pk)) == shown(response)
    assert get(login(world.charlie)).context["table"].rows == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "Failed"}, ["globex failed", "flow failed", "plan failed"]),
        ({"kind": "flow"}, ["flow failed"]),
        ({"ranfrom": "api"}, ["workflow running"]),
        (
            {"ranfrom": "schedule", "kind": "plan"},
            ["globex failed", "plan failed", "plan ok"],
        ),
        ({"start": "{day_ago}"}, ["workflow running", "globex failed", "flow failed"]),
        ({"end": "{day_ago}"}, ["plan failed", "plan ok"]),
    ],
)
def test_it_filters(login, world, runs, params, expected):
    day_ago = timezone.localtime(NOW - timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M")
    params = {key: value.format(day_ago=day_ago) for key, value in params.items()}

    response = get(login(world.alice), **params)

    assert shown(response) == [runs[name].pk for name in expected]


def test_it_filters_by_workspace(login, world, runs):
    response = get(login(world.alice), workspace=world.globex.pk)

    assert shown(response) == [runs["globex failed"].pk]


def test_it_pages_back_by_cursor_without_gaps_or_repeats(login, world):
    plan = make_asset(Plan, world.acme, 1)
    for minutes in range(PAGE_SIZE * 2 + 3):
        # Pairs of runs created at the same instant: the id breaks the tie.
        make_aac_run(
            world.acme, asset=plan, created=NOW - timedelta(minutes=minutes // 2)
        )
    client = login(world.bob)

    pages, query = [], {}
    while True:
        response = get(client, **query)
        pages.append(shown(response))
        table = response.context["table"]
        if not table.next_query:
            break
        query = dict(pair.split("=") for pair in table.next_query.split("&"))

    assert [len(page) for page in pages] == [PAGE_SIZE, PAGE_SIZE, 3]
    everything = [pk for page in pages for pk in page]
    assert len(set(everything)) == len(everything) == PAGE_SIZE * 2 + 3
    assert "Newest" in response.text


@pytest.mark.parametrize(
    "query",
    [
        "workspace=abc",
        "status=Sleeping",
        "kind=report",
        "ranfrom=cron",
        "start=yesterday",
        "end=2026-13-45T99:99",
        "after=abc",
        "after=99999999999999999-1",
        "after=1-99999999999999999999",
        "page=3",
    ],
)
def test_it_ignores_invalid_parameters(login, world, runs, query):
    response = login(world.alice).get(f"{reverse('pages:runs')}?{query}")

    assert response.status_code == 200


def test_the_chart_counts_runs_per_day_by_status_in_the_viewers_days(
    login, world, runs
):
    data = chart(get(login(world.alice)), "runs-per-day")

    by_status = {series["name"]: sum(series["values"]) for series in data["series"]}
    assert by_status == {
        "Complete": 1,
        "Failed": 3,
        "Canceled": 0,
        "In progress": 1,
        "Queued": 0,
    }
    today = timezone.localtime(NOW).strftime("%a %d %b")
    assert data["labels"][-1] == today
    assert len(data["labels"]) == 30


def test_the_charts_follow_the_workspace_and_status_filters(login, world, runs):
    response = get(login(world.alice), workspace=world.acme.pk, status="Failed")

    per_day = chart(response, "runs-per-day")
    assert sum(sum(series["values"]) for series in per_day["series"]) == 2
    rates = chart(response, "failure-rate")
    assert rates["labels"] == ["Acme EU (2 of 3)"]
    assert "charts-note" not in response.text


def test_the_page_says_the_charts_ignore_the_other_filters(login, world, runs):
    response = get(login(world.alice), kind="flow")

    per_day = chart(response, "runs-per-day")
    assert sum(sum(series["values"]) for series in per_day["series"]) == 5
    assert 'id="charts-note"' in response.text


def test_the_failure_rate_counts_failed_among_finished_runs_per_workspace(
    login, world, runs
):
    data = chart(get(login(world.alice), status="Failed"), "failure-rate")

    assert data["labels"] == ["Globex US (1 of 1)", "Acme EU (2 of 3)"]
    assert data["series"][0]["values"] == [100.0, 66.7]


def test_the_chart_data_goes_through_json_script(login, world, runs):
    response = get(login(world.alice))

    assert '<script id="chart-runs-per-day-data" type="application/json">' in (
        response.text
    )
    start = response.text.index('id="chart-failure-rate-data"')
    payload = response.text[response.text.index(">", start) + 1 :]
    assert json.loads(payload[: payload.index("</script>")])["kind"] == "hbar"


def test_it_names_the_workspaces_it_sees_only_part_of(login, world, runs):
    complete = get(login(world.alice))
    # Acme's one connection is person 1's, of two people: a partial view.
    make_person(world.acme, 1)
    make_person(world.acme, 2)
    Connection.objects.filter(workspace=world.acme).update(
        aac_person_id=1, listed_at=timezone.now()
    )
    partial = get(login(world.alice))

    assert "partial-view" not in complete.text
    assert partial.context["partial"] == ["Acme EU"]
    assert "Only some owners' runs are seen in Acme EU" in partial.text


def test_a_workspace_whose_every_person_is_connected_is_not_named(login, world, runs):
    make_person(world.acme, 1)
    Connection.objects.filter(workspace=world.acme).update(
        aac_person_id=1, listed_at=timezone.now()
    )
    # Its one person has the working connection: seen whole, though the
    # connection lists only that person's schedules.
    assert get(login(world.alice)).context["partial"] == []
