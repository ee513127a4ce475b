"""A schedule's page: triggers in words, the next ten runs in two timezones,
what it runs, its owner, its runs and success rate, and the link to AAC."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Profile
from schedules.models import Plan, TaskKind
from tests.factories import make_aac_run, make_asset, make_person, make_schedule

NOW = datetime(2026, 3, 2, 12, 5, tzinfo=UTC)
RAW = {
    "id": 5,
    "triggers": [
        {
            "id": 1,
            "timeBased": {"hourly": {"minuteOfHour": 15}, "timezone": "Asia/Kolkata"},
        },
        {"id": 2, "fileWatcher": {"path": "/in", "interval": 60}},
    ],
    "tasks": [
        {"id": 1, "runPlan": {"planId": 11, "name": "Sales plan"}},
        {"id": 2, "runFlow": {"flowId": 99, "name": "Gone flow"}},
    ],
}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def schedule(world):
    plan = make_asset(Plan, world.acme, 11, name="Sales plan")
    make_person(world.acme, 7, name="Ann Admin", email="ann@x.test", disabled=True)
    schedule = make_schedule(
        world.acme,
        aac_id=5,
        name="Hourly sales",
        raw=RAW,
        timezone="Asia/Kolkata",
        task_kind=TaskKind.PLAN,
        target_id="11",
        target_name="Sales plan",
        owner_id="7",
        owner_name="Ann Admin",
        owner_email="ann@x.test",
        owner_disabled=True,
    )
    for hours, status, error in (
        (3, "Complete", ""),
        (2, "Failed", "Quota exceeded"),
        (1, "Complete", ""),
        (0, "InProgress", ""),
    ):
        make_aac_run(
            world.acme,
            asset=plan,
            status=status,
            created=NOW - timedelta(hours=hours),
            schedule_aac_id=5,
            run_by_aac_id=7,
            error_message=error,
        )
    make_aac_run(world.acme, asset=plan, created=NOW, schedule_aac_id=6)
    return schedule


def page(client, workspace, aac_id=5):
    return client.get(reverse("pages:schedule", args=[workspace.pk, aac_id]))


def test_it_words_the_triggers_and_lists_the_next_ten_runs_in_two_zones(
    login, world, schedule
):
    Profile.objects.create(user=world.bob, timezone="America/New_York")

    response = page(login(world.bob), world.acme)

    assert response.context["triggers"][0] == "Every hour at :15, Asia/Kolkata"
    assert len(response.context["triggers"]) == 2
    upcoming = response.context["upcoming"]
    # 12:05 UTC is 17:35 in Kolkata: the next :15 there is 18:15, 12:45 UTC.
    assert [u.at for u in upcoming] == [
        datetime(2026, 3, 2, 12, 45, tzinfo=UTC) + timedelta(hours=n) for n in range(10)
    ]
    assert upcoming[0].there == "Mon 2026-03-02 18:15 IST"
    assert "2026-03-02 07:45" in response.text  # New York
    assert "Your time (America/New_York)" in response.text


def test_a_disabled_schedule_has_no_next_run(login, world, schedule):
    schedule.enabled = False
    schedule.save()

    response = page(login(world.bob), world.acme)

    assert response.context["upcoming"] == []
    assert "Disabled: AAC does not run it." in response.text


def test_it_links_what_it_runs_when_the_portal_has_it(login, world, schedule):
    response = page(login(world.carol), world.acme)

    [plan, flow] = response.context["targets"]
    assert (plan.label, plan.url) == (
        "Plan",
        reverse("pages:plan", args=[world.acme.pk, 11]),
    )
    assert (flow.label, flow.name, flow.url) == ("Flow", "Gone flow", "")
    assert "(id 99; not among the portal's flows)" in response.text


def test_it_says_the_owner_is_disabled_and_what_that_means(login, world, schedule):
    response = page(login(world.carol), world.acme)

    assert "Ann Admin" in response.text
    assert "disabled in AAC" in response.text
    assert "nobody else can change it" in response.text


def test_it_shows_its_runs_and_success_rate(login, world, schedule):
    response = page(login(world.carol), world.acme)

    history = response.context["history"]
    assert [row.run.status for row in history.rows] == [
        "InProgress",
        "Complete",
        "Failed",
        "Complete",
    ]
    assert history.rows[0].person.name == "Ann Admin"
    assert (history.summary.finished, history.summary.success_rate) == (3, 200 / 3)
    assert "66.7 %" in response.text
    assert "Quota exceeded" in response.text


def test_it_links_the_schedule_in_aacs_own_ui(login, world, schedule, settings):
    settings.AAC_REGIONS = {
        **settings.AAC_REGIONS,
        "eu1": {**settings.AAC_REGIONS["eu1"], "ui_url": "https://ui.example"},
    }

    response = page(login(world.carol), world.acme)

    assert response.context["aac_url"] == "https://ui.example/schedules/5"
    assert 'href="https://ui.example/schedules/5"' in response.text


def test_a_schedule_outside_the_users_workspaces_is_not_found(login, world, schedule):
    assert page(login(world.charlie), world.acme).status_code == 404
    assert page(login(world.bob), world.globex).status_code == 404
    assert page(login(world.bob), world.acme, aac_id=404).status_code == 404


def test_the_schedules_table_links_each_row_to_its_page(login, world, schedule):
    response = login(world.bob).get(reverse("pages:schedules"))

    assert f'href="/workspaces/{world.acme.pk}/schedules/5/"' in response.text
