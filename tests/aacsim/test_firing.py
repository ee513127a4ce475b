from datetime import UTC, datetime

import pytest

from aacsim import Simulator, data
from aacsim.firing import compile_trigger

WEEK_START = datetime(2026, 3, 2, tzinfo=UTC).timestamp()  # a Monday
DAY = 86400


def fires(trigger: dict, days: float = 7, *, min_interval: float = 1800) -> list[str]:
    firing = compile_trigger({"id": 11, **trigger}, min_interval=min_interval)
    instants = firing.fires(WEEK_START, WEEK_START + days * DAY)
    return [datetime.fromtimestamp(t, UTC).strftime("%a %d %H:%M") for t in instants]


def timed(rule: dict, timezone: str = "UTC") -> dict:
    return {"timeBased": {**rule, "timezone": timezone}}


def test_it_fires_hourly_at_the_local_minute_even_in_a_quarter_hour_zone():
    runs = fires(timed({"hourly": {"minuteOfHour": 15}}, "Asia/Kathmandu"), days=1)

    assert len(runs) == 24
    assert {run[-2:] for run in runs} == {"30"}  # +05:45


def test_it_fires_daily_in_the_schedules_zone_and_skips_weekends_if_asked():
    rule = {"daily": {"hourOfDay": 2, "minuteOfHour": 15, "onlyWorkingDays": True}}

    runs = fires(timed(rule, "Europe/Berlin"))

    assert runs == [
        f"{day} 01:15" for day in ("Mon 02", "Tue 03", "Wed 04", "Thu 05", "Fri 06")
    ]


def test_it_fires_weekly_monthly_and_on_the_nth_weekday():
    weekly = {"hourOfDay": 9, "minuteOfHour": 0, "daysOfWeek": ["MONDAY", "FRIDAY"]}
    monthly = {"hourOfDay": 9, "minuteOfHour": 0, "daysOfMonth": [1, 15]}
    nth = {"hourOfDay": 9, "minuteOfHour": 0, "dayOfWeek": "TUESDAY"}

    assert fires(timed({"weekly": weekly})) == ["Mon 02 09:00", "Fri 06 09:00"]
    assert fires(timed({"monthly": monthly}), days=31) == [
        "Sun 15 09:00",
        "Wed 01 09:00",
    ]
    assert fires(
        timed({"monthlyWeekday": {**nth, "nthWeekDayOfMonth": 2}}), days=31
    ) == ["Tue 10 09:00"]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("30 6 * * 1-5", ["Mon 02 06:30", "Tue 03 06:30", "Wed 04 06:30"]),
        ("0 30 6 ? * MON-FRI", ["Mon 02 06:30", "Tue 03 06:30", "Wed 04 06:30"]),
        ("0 0 12 ? * 2#1 *", ["Mon 02 12:00"]),
        ("0 0 12 ? * 6L", ["Fri 27 12:00"]),
        ("0 0 12 L * ?", ["Tue 31 12:00"]),
        ("0 8,20 * * SAT", ["Sat 07 08:00", "Sat 07 20:00", "Sat 14 08:00"]),
    ],
)
def test_it_reads_five_field_and_quartz_crons(expression, expected):
    assert fires(timed({"cron": {"expression": expression}}), days=31)[:3] == expected


def test_it_thins_triggers_that_fire_more_often_than_the_minimum_interval():
    every_five = timed({"cron": {"expression": "*/5 * * * *"}})

    assert len(fires(every_five, days=1)) == 48
    assert len(fires(every_five, days=1, min_interval=300)) == 288
    assert len(fires(timed({"cron": {"expression": data.huge_cron()}}), days=1)) == 48


def test_it_keeps_to_the_triggers_start_and_end():
    rule = {
        "daily": {"hourOfDay": 0, "minuteOfHour": 30},
        "utcStartDateTime": "2026-03-03T00:00:00.000Z",
        "utcEndDateTime": "2026-03-05T00:00:00.000Z",
    }

    assert fires(timed(rule)) == ["Tue 03 00:30", "Wed 04 00:30"]


def test_it_fires_a_one_time_trigger_once_inside_the_window():
    inside = {"timeBased": {"oneTime": {"utcDateTime": "2026-03-04T10:00:00.000Z"}}}
    outside = {"timeBased": {"oneTime": {"utcDateTime": "2027-03-04T10:00:00.000Z"}}}

    assert fires(inside) == ["Wed 04 10:00"]
    assert fires(outside) == []


def test_it_fires_watchers_every_few_hours_the_same_way_in_pieces_or_at_once():
    watcher = compile_trigger({"id": 7, "fileWatcher": {}}, min_interval=1800)
    end = WEEK_START + 7 * DAY
    middle = WEEK_START + 3.3 * DAY

    at_once = watcher.fires(WEEK_START, end)
    in_pieces = watcher.fires(WEEK_START, middle) + watcher.fires(middle, end)

    assert at_once == in_pieces
    assert 7 * 24 / 12 <= len(at_once) <= 7 * 24 / 2


@pytest.mark.parametrize(
    "trigger",
    [
        {"eventBased": {"source": "webhook"}},
        timed({"cron": {"expression": "not a cron"}}),
        timed({"cron": {"expression": "61 * * * *"}}),
    ],
)
def test_it_never_fires_what_it_cannot_read(trigger):
    assert compile_trigger({"id": 1, **trigger}, min_interval=1800) is None


def test_it_reads_every_cron_the_generator_writes():
    sim_crons = {
        t["timeBased"]["cron"]["expression"]
        for seed in range(3)
        for t in _generated_triggers(seed)
        if "cron" in t.get("timeBased", {})
    }

    assert len(sim_crons) > 50
    for expression in sim_crons:
        trigger = timed({"cron": {"expression": expression}})
        assert compile_trigger({"id": 1, **trigger}, min_interval=1800), expression


def _generated_triggers(seed: int) -> list[dict]:
    sim = Simulator(seed=seed)
    workspace = sim.add_workspace(name="Crons", schedules=400)
    return [t for s in workspace.schedules.values() for t in s["triggers"]]
