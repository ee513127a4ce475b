"""The dashboard: cards, totals and the charts' numbers, all from the database."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Profile
from pages.charts import TOP
from schedules.models import SyncRun, TaskKind, TriggerKind
from tests.factories import make_schedule, make_schedules
from workspaces.models import Connection

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def charts(response) -> dict:
    """The charts' data as the page hands it to charts.js (json_script)."""
    found = re.findall(
        r'<script id="chart-(\w+)-data" type="application/json">(.*?)</script>',
        response.text,
    )
    return {key: json.loads(data) for key, data in found}


def test_it_counts_the_totals(login, world):
    hours = timedelta(hours=1)
    make_schedule(world.acme, enabled=True, next_run_at=NOW + 2 * hours)
    make_schedule(world.acme, enabled=True, next_run_at=NOW + 30 * hours)
    make_schedule(world.acme, enabled=False, next_run_at=NOW + hours)
    make_schedule(world.acme, enabled=True, owner_disabled=True)
    make_schedule(world.acme, enabled=False, owner_disabled=True)
    make_schedule(world.globex, enabled=True, next_run_at=NOW + hours)
    response = login(world.bob).get(reverse("pages:dashboard"))
    assert response.context["totals"] == {
        "schedules": 5,
        "enabled": 3,
        "disabled": 2,
        "owner_disabled": 2,
        "enabled_owner_disabled": 1,
        "next_24h": 1,
    }


def test_it_puts_the_owners_beyond_the_top_fifteen_in_others(login, world):
    for owner in range(TOP + 2):
        for _ in range(owner + 1):
            make_schedule(
                world.acme, owner_email=f"o{owner}@x.test", owner_name=f"Owner {owner}"
            )
    make_schedule(world.acme, owner_email="", owner_name="")
    data = charts(login(world.alice).get(reverse("pages:dashboard")))["owner"]
    assert data["labels"][:2] == ["Owner 16", "Owner 15"]
    assert data["labels"][-1] == "others"
    assert len(data["labels"]) == TOP + 1
    # Owners 0 and 1 (1 and 2 schedules) and the one without owner.
    assert data["series"][0]["values"][-1] == 1 + 2 + 1
    assert data["xLabel"] == "Schedules"
    assert data["yLabel"] == "Owner"


def test_it_counts_by_task_type_and_trigger_kind(login, world):
    make_schedule(world.acme, task_kind=TaskKind.PLAN, trigger_kind=TriggerKind.CRON)
    make_schedule(world.acme, task_kind=TaskKind.PLAN, trigger_kind=TriggerKind.DAILY)
    make_schedule(world.acme, task_kind=TaskKind.FLOW, trigger_kind=TriggerKind.CRON)
    data = charts(login(world.bob).get(reverse("pages:dashboard")))
    assert data["task"]["labels"] == ["Flow", "Plan"]
    assert data["task"]["series"][0]["values"] == [1, 2]
    assert data["trigger"]["labels"] == ["Cron", "Daily"]
    assert data["trigger"]["series"][0]["values"] == [2, 1]


def test_it_counts_by_workspace(login, world):
    make_schedule(world.acme)
    make_schedule(world.globex)
    make_schedule(world.globex)
    response = login(world.alice).get(reverse("pages:dashboard"))
    data = charts(response)["workspace"]
    assert data["labels"] == ["Globex US", "Acme EU"]
    assert data["series"][0]["values"] == [2, 1]
    cards = {c.workspace.name: c.counts["schedules"] for c in response.context["cards"]}
    assert cards == {"Acme EU": 1, "Globex US": 2}


def test_it_places_next_runs_by_hour_and_day_in_the_viewers_timezone(login, world):
    Profile.objects.create(user=world.bob, timezone="Asia/Tokyo")  # UTC+9
    make_schedule(world.acme, next_run_at=NOW + timedelta(hours=1))  # Mon 22:00
    make_schedule(world.acme, next_run_at=NOW + timedelta(hours=8))  # Tue 05:00
    make_schedule(world.acme, next_run_at=NOW + timedelta(days=8))  # too far
    make_schedule(world.acme, next_run_at=NOW + timedelta(hours=2), enabled=False)
    data = charts(login(world.bob).get(reverse("pages:dashboard")))["upcoming"]
    by_day = {series["name"]: series["values"] for series in data["series"]}
    assert list(by_day) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert by_day["Mon"][22] == 1
    assert by_day["Tue"][5] == 1
    assert sum(sum(values) for values in by_day.values()) == 2
    assert "Asia/Tokyo" in data["xLabel"]


def test_it_counts_every_upcoming_run_and_names_the_busiest_hours(login, world):
    make_schedule(
        world.acme,
        cron="*/5 * * * *",
        timezone="UTC",
        trigger_kind=TriggerKind.CRON,
        next_run_at=NOW + timedelta(minutes=5),
    )
    data = charts(login(world.bob).get(reverse("pages:dashboard")))["upcoming"]
    assert sum(sum(series["values"]) for series in data["series"]) == 2016
    assert data["title"] == "Runs in the coming 7 days: 2,016 (UTC)"
    assert data["subtitle"] == (
        "Busiest hours: Mon 12:00 (12), Mon 13:00 (12), Mon 14:00 (12)"
    )
    assert data["yLabel"] == "Runs"


def test_it_names_every_task_type_and_links_each_bar_to_its_table(login, world):
    make_schedule(world.acme, task_kind=TaskKind.AUTO_INSIGHTS)
    make_schedule(world.acme, task_kind=TaskKind.LOCATION_INTELLIGENCE)
    data = charts(login(world.bob).get(reverse("pages:dashboard")))["task"]
    assert data["labels"] == ["Auto Insights", "Location Intelligence"]
    assert data["links"] == [
        reverse("pages:schedules") + "?task=auto_insights",
        reverse("pages:schedules") + "?task=location_intel",
    ]


def test_it_stacks_each_workspaces_schedules_by_state(login, world):
    make_schedule(world.acme)
    make_schedule(world.acme, owner_disabled=True)
    make_schedule(world.acme, owner_disabled=True)
    make_schedule(world.acme, enabled=False, owner_disabled=True)
    data = charts(login(world.bob).get(reverse("pages:dashboard")))["workspace"]
    assert data["kind"] == "hstacked"
    by_state = {series["name"]: series for series in data["series"]}
    assert {name: s["values"] for name, s in by_state.items()} == {
        "Enabled": [1],
        "Enabled, owner disabled": [2],
        "Disabled": [1],
    }
    pk = world.acme.pk
    assert by_state["Enabled, owner disabled"]["links"] == [
        f"{reverse('pages:schedules')}?workspace={pk}&enabled=yes&owner_disabled=yes"
    ]


def test_it_gives_every_chart_a_title_axis_labels_and_a_table(login, world):
    make_schedule(world.acme, next_run_at=NOW + timedelta(hours=1))
    response = login(world.bob).get(reverse("pages:dashboard"))
    data = charts(response)
    assert set(data) == {"owner", "task", "workspace", "trigger", "upcoming"}
    for chart in data.values():
        assert chart["title"]
        assert chart["xLabel"]
        assert chart["yLabel"]
    assert response.text.count("<details>") == 5


def test_it_tells_what_to_do_when_a_workspace_needs_reauthorisation(login, world):
    world.acme.connections.get().set_state(
        Connection.State.NEEDS_REAUTH, "invalid_grant: token revoked"
    )
    text = login(world.bob).get(reverse("pages:dashboard")).text
    assert "invalid_grant: token revoked" in text
    assert "User Preferences → OAuth 2.0 API Tokens" in text


def test_it_shows_the_last_sync_with_its_counts(login, world):
    SyncRun.objects.create(
        workspace=world.acme,
        trigger="beat",
        status="succeeded",
        started_at=NOW - timedelta(seconds=5),
        finished_at=NOW - timedelta(seconds=2),
        counts={"schedules": {"seen": 1234, "created": 4, "deleted": 2}},
    )
    text = login(world.bob).get(reverse("pages:dashboard")).text
    assert "1,234 schedules (4 new, 0 updated, 2 deleted)" in text
    assert "in 3.0 s" in text


def test_it_shows_the_reason_of_a_failed_sync(login, world):
    SyncRun.objects.create(
        workspace=world.acme,
        trigger="beat",
        status="failed",
        finished_at=NOW,
        error_kind="Unavailable",
        error_message="AAC answered 503 on page 2; nothing applied",
    )
    text = login(world.bob).get(reverse("pages:dashboard")).text
    assert "AAC answered 503 on page 2; nothing applied" in text


def test_it_warns_before_the_refresh_token_expires(login, world):
    world.acme.connections.update(
        refresh_token_issued_at=NOW - timedelta(days=360),
        refresh_token_lifetime_days=365,
    )
    text = login(world.bob).get(reverse("pages:dashboard")).text
    assert "The refresh token of connection 1 expires in 5 days." in text


def test_it_says_when_the_refresh_token_has_expired(login, world):
    world.acme.connections.update(
        refresh_token_issued_at=NOW - timedelta(days=31),
        refresh_token_lifetime_days=30,
    )
    assert (
        "The refresh token of connection 1 expired."
        in login(world.bob).get(reverse("pages:dashboard")).text
    )


def test_it_polls_while_a_sync_is_queued_and_not_otherwise(login, world):
    client = login(world.bob)
    assert 'id="sync-poller" hx-get' not in client.get(reverse("pages:dashboard")).text
    SyncRun.objects.create(workspace=world.acme, trigger="beat")
    assert 'id="sync-poller" hx-get' in client.get(reverse("pages:dashboard")).text


def test_it_welcomes_a_user_without_workspaces(login, world):
    response = login(world.charlie).get(reverse("pages:dashboard"))
    assert response.status_code == 200
    assert "You cannot see any workspace yet" in response.text


def test_a_partial_view_is_never_shown_as_the_whole_workspace(login, world):
    world.acme.connections.update(listed_at=NOW)
    make_schedules(world.acme, 3)

    text = login(world.bob).get(reverse("pages:dashboard")).text

    assert "3 schedules (partial view)" in text
    assert "Partial: the schedules of 1 person are visible." in text
    assert "These totals hold only some owners' schedules of Acme EU" in text


def test_a_complete_view_says_so(login, world):
    connection = world.acme.connections.get()
    Connection.objects.filter(pk=connection.pk).update(
        listed_at=NOW, aac_person_id="1", person_name="Ada"
    )
    make_schedule(world.acme, owner_id="2")  # someone else's, listed by Ada

    text = login(world.bob).get(reverse("pages:dashboard")).text

    assert "Complete: Ada lists every owner&#x27;s schedules." in text
    assert "(partial view)" not in text
    assert 'id="partial-totals"' not in text


def test_a_long_rate_limit_says_when_it_is_retried_in_the_viewers_time(login, world):
    SyncRun.objects.create(
        workspace=world.acme,
        trigger="beat",
        status="failed",
        finished_at=NOW,
        error_kind="rate_limited",
        error_message="AAC rate limit, retrying at 13:00 UTC (the first scheduled "
        "sync from then).",
        retry_at=NOW + timedelta(hours=1),
    )

    text = login(world.bob).get(reverse("pages:dashboard")).text

    at = (NOW + timedelta(hours=1)).isoformat()
    assert f'AAC rate limit, retrying at <time datetime="{at}"' in text
    assert "TooManyRequests" not in text
    assert "Retries at" not in text
