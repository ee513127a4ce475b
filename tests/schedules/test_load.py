"""The upcoming load: every run of the coming week, per quarter hour and per local
hour, from the stored trigger columns."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from schedules.load import DAYS, Load, upcoming_load, week_start
from schedules.models import Schedule
from schedules.parse import parse_schedule
from tests.factories import make_schedule

NOW = datetime(2026, 3, 2, 12, 7, tzinfo=UTC)  # a Monday
PARIS = ZoneInfo("Europe/Paris")
TOKYO = ZoneInfo("Asia/Tokyo")

pytestmark = pytest.mark.django_db


def store(workspace, aac_id, *triggers, now=NOW, enabled=True) -> Schedule:
    """A schedule as the sync stores it: parsed from AAC's JSON."""
    raw = {
        "id": aac_id,
        "name": f"Schedule {aac_id}",
        "enabled": enabled,
        "triggers": [{"id": i, "timeBased": t} for i, t in enumerate(triggers)],
        "tasks": [{"id": 1, "runPlan": {"planId": 7, "name": "Plan 7"}}],
    }
    parsed = parse_schedule(raw, now=now)
    return make_schedule(workspace, aac_id=aac_id, **parsed.fields, synced_at=now)


def cron(expression, zone="UTC", **bounds) -> dict:
    return {"cron": {"expression": expression}, "timezone": zone, **bounds}


def load_of(workspace, now=NOW) -> Load:
    return upcoming_load(Schedule.objects.filter(workspace=workspace), now=now)


def test_it_counts_an_every_five_minutes_schedule_2016_times(world):
    store(world.acme, 1, cron("*/5 * * * *"))
    load = load_of(world.acme)
    assert load.total == 2016
    assert load.start == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert set(load.slots) == {3}


def test_it_counts_every_schedule_that_shares_a_trigger(world):
    for aac_id in range(1, 11):
        store(world.acme, aac_id, cron("0 * * * *"))
    store(
        world.acme,
        11,
        {"daily": {"hourOfDay": 2, "minuteOfHour": 30}, "timezone": "UTC"},
    )
    assert load_of(world.acme).total == 10 * 24 * DAYS + DAYS


def test_it_leaves_out_disabled_schedules_and_watchers(world):
    store(world.acme, 1, cron("*/5 * * * *"), enabled=False)
    make_schedule(world.acme, trigger_kind="file_watcher", next_run_at=None)
    assert load_of(world.acme).total == 0


def test_it_counts_a_one_time_schedule_once_when_it_falls_in_the_week(world):
    store(world.acme, 1, {"oneTime": {"utcDateTime": "2026-03-04T09:20:00Z"}})
    store(world.acme, 2, {"oneTime": {"utcDateTime": "2026-03-20T09:20:00Z"}})
    load = load_of(world.acme)
    assert load.total == 1
    assert load.hours(UTC) == {datetime(2026, 3, 4, 9): 1}


def test_it_stops_at_an_end_date_and_starts_at_a_start_date(world):
    store(
        world.acme,
        1,
        cron("*/10 * * * *", utcEndDateTime="2026-03-03T00:05:00Z"),
    )
    store(world.acme, 2, cron("0 * * * *", utcStartDateTime="2026-03-08T22:30:00Z"))
    hours = load_of(world.acme).hours(UTC)
    # 12:00 to 23:50 on Monday, and 00:00 on Tuesday (the end is 00:05).
    assert sum(n for at, n in hours.items() if at.day in (2, 3)) == 12 * 6 + 1
    # 23:00 on Sunday, then Monday 00:00 to 11:00 (the week ends at 12:00).
    assert sum(n for at, n in hours.items() if at.day in (8, 9)) == 1 + 12


def test_it_counts_every_trigger_of_a_schedule(world):
    store(
        world.acme,
        1,
        cron("0 9 * * *", "Europe/Paris"),
        cron("0 18 * * *", "Europe/Paris"),
    )
    assert load_of(world.acme).total == 2 * DAYS


def test_it_places_runs_in_the_viewers_timezone(world):
    store(world.acme, 1, cron("0 9 * * *", "Europe/Paris"))  # 08:00 UTC in March
    grid = load_of(world.acme).by_weekday_and_hour(TOKYO)  # UTC+9
    assert [grid[day][17] for day in range(7)] == [1] * 7
    assert sum(map(sum, grid)) == 7


def test_it_follows_the_schedules_own_clock_across_a_daylight_saving_change(world):
    # Paris moves to summer time on Sunday 29 March 2026.
    now = datetime(2026, 3, 26, 12, tzinfo=UTC)
    store(world.acme, 1, cron("0 9 * * *", "Europe/Paris"), now=now)
    hours = load_of(world.acme, now=now).hours(UTC)
    assert hours[datetime(2026, 3, 28, 8)] == 1
    assert hours[datetime(2026, 3, 29, 7)] == 1


def test_it_skips_a_time_the_clock_skips_and_fires_a_repeated_one_once(world):
    # Paris skips 02:00-03:00 on 29 March and repeats 02:00-03:00 on 25 October.
    spring = datetime(2026, 3, 26, 12, tzinfo=UTC)
    daily = {"daily": {"hourOfDay": 2, "minuteOfHour": 30}, "timezone": "Europe/Paris"}
    store(world.acme, 1, daily, now=spring)
    assert load_of(world.acme, now=spring).total == DAYS - 1
    autumn = datetime(2026, 10, 22, 12, tzinfo=UTC)
    store(world.globex, 1, cron("30 * * * *", "Europe/Paris"), now=autumn)
    assert load_of(world.globex, now=autumn).total == 24 * DAYS - 1


def test_it_names_a_repeated_local_hour_twice_in_the_viewers_timezone(world):
    autumn = datetime(2026, 10, 22, 12, tzinfo=UTC)
    store(world.acme, 1, cron("*/30 * * * *"), now=autumn)  # UTC, no change
    load = load_of(world.acme, now=autumn)
    grid = load.by_weekday_and_hour(PARIS)
    sunday = 6
    assert grid[sunday][2] == 4  # 02:00-03:00 happens twice in Paris
    assert sum(map(sum, grid)) == load.total == 2 * 24 * DAYS


def test_it_names_the_busiest_hours(world):
    store(world.acme, 1, cron("0 * * * *"))
    store(world.acme, 2, cron("*/5 6 * * 3"))  # Wednesdays 06:00-06:55
    busiest = load_of(world.acme).busiest(UTC, count=2)
    assert busiest == [
        (datetime(2026, 3, 4, 6), 13),
        (datetime(2026, 3, 2, 12), 1),
    ]


def test_loads_of_one_week_add_up(world):
    store(world.acme, 1, cron("0 * * * *"))
    store(world.globex, 1, cron("0 12 * * *"))
    both = load_of(world.acme) + load_of(world.globex)
    assert both.total == 24 * DAYS + DAYS
    with pytest.raises(ValueError, match="different weeks"):
        both + load_of(world.acme, now=NOW + timedelta(hours=1))


def test_a_week_starts_at_the_quarter_hour():
    assert week_start(datetime(2026, 3, 2, 13, 44, 59, tzinfo=PARIS)) == datetime(
        2026, 3, 2, 12, 30, tzinfo=UTC
    )


def test_it_costs_three_queries_however_many_schedules(
    world, django_assert_num_queries
):
    store(world.acme, 1, cron("*/5 * * * *"))
    store(world.acme, 2, cron("0 * * * *", utcEndDateTime="2026-03-05T00:00:00Z"))
    store(world.acme, 3, {"oneTime": {"utcDateTime": "2026-03-04T09:20:00Z"}})
    with django_assert_num_queries(3):
        load_of(world.acme)
    for aac_id in range(4, 40):
        store(world.acme, aac_id, cron(f"{aac_id} * * * *"))
        store(
            world.acme,
            aac_id + 100,
            cron("0 * * * *", utcEndDateTime="2026-03-05T00:00:00Z"),
        )
    with django_assert_num_queries(3):
        load_of(world.acme)
