"""Next runs on the wall clock: daylight-saving edges, bounds, and the end of a cron."""

from datetime import UTC, datetime
from itertools import islice

import pytest
from croniter import croniter

from schedules.triggers.clock import QUARTER, cron_runs, cron_slots
from schedules.triggers.reader import read_trigger
from tests.schedules.triggers.items import at, cron, timed

DST_CASES = [
    # Spring forward in Paris: 02:30 does not exist on 29 March, so that
    # day's run is skipped.
    ("30 2 * * *", "Europe/Paris", "2026-03-28T12:00", "2026-03-30T00:30"),
    # Fall back in Paris: 02:30 happens twice on 25 October; it fires once,
    # at the first (summer-time) occurrence...
    ("30 2 * * *", "Europe/Paris", "2026-10-24T12:00", "2026-10-25T00:30"),
    # ... and not again at the second.
    ("30 2 * * *", "Europe/Paris", "2026-10-25T00:30", "2026-10-26T01:30"),
    # Fall back in New York: an hourly :15 during the repeated hour fires at
    # the first 01:15 only, then at 02:15 standard time.
    ("15 * * * *", "America/New_York", "2026-11-01T05:00", "2026-11-01T05:15"),
    ("15 * * * *", "America/New_York", "2026-11-01T05:15", "2026-11-01T07:15"),
    ("15 * * * *", "America/New_York", "2026-11-01T06:20", "2026-11-01T07:15"),
    # Sydney falls back on 5 April: 08:00 keeps its wall-clock time.
    ("0 8 * * *", "Australia/Sydney", "2026-04-03T20:00", "2026-04-03T21:00"),
    ("0 8 * * *", "Australia/Sydney", "2026-04-03T21:00", "2026-04-04T22:00"),
]


@pytest.mark.parametrize(("expression", "zone", "after", "expected"), DST_CASES)
def test_it_keeps_wall_clock_times_across_daylight_saving_changes(
    expression, zone, after, expected
):
    trigger = read_trigger(cron(expression, zone))

    assert trigger.next_run(after=at(after)) == at(expected)


def test_it_honours_the_start_and_end_of_a_bounded_trigger():
    trigger = read_trigger(
        timed(
            "daily",
            {"hourOfDay": 8, "minuteOfHour": 0, "onlyWorkingDays": True},
            "Australia/Sydney",
            utcStartDateTime="2026-04-01T00:00:00.000Z",
            utcEndDateTime="2026-04-02T12:00:00.000Z",
        )
    )

    assert trigger.description == (
        "Every working day (Monday to Friday) at 08:00, from 1 Apr 2026 at 11:00, "
        "until 2 Apr 2026 at 23:00, Australia/Sydney"
    )
    # 1 April at 11:00 in Sydney is past 08:00: the first run is on the 2nd.
    assert trigger.next_run(after=at("2026-03-01T00:00")) == at("2026-04-01T21:00")
    assert trigger.next_run(after=at("2026-04-01T21:00")) is None


def test_it_says_when_a_cron_never_fires_again():
    past = read_trigger(cron("0 0 12 * * ? 2022-2025"))
    impossible = read_trigger(cron("0 0 30 2 *"))

    assert past.description == "At 12:00, 2022 through 2025, UTC"
    assert past.next_run(after=at("2026-01-01T00:00")) is None
    assert impossible.next_run(after=at("2026-01-01T00:00")) is None
    assert past.problems == impossible.problems == ()


def test_a_run_due_exactly_at_the_start_of_a_bounded_trigger_fires_then():
    """The start is inclusive: "from 1 Apr at 08:00" with a daily 08:00 runs on
    1 April, and so does a run due the same instant as `after` and the start."""
    trigger = read_trigger(
        timed(
            "daily",
            {"hourOfDay": 8, "minuteOfHour": 0},
            "UTC",
            utcStartDateTime="2026-04-01T08:00:00.000Z",
        )
    )

    assert trigger.next_run(after=at("2026-03-01T00:00")) == at("2026-04-01T08:00")
    assert trigger.next_run(after=at("2026-04-01T07:59")) == at("2026-04-01T08:00")
    # Strictly after `after`: once the start's run is past, the next day's.
    assert trigger.next_run(after=at("2026-04-01T08:00")) == at("2026-04-02T08:00")


def test_the_end_of_a_bounded_trigger_is_inclusive_too():
    trigger = read_trigger(
        timed(
            "daily",
            {"hourOfDay": 8, "minuteOfHour": 0},
            "UTC",
            utcEndDateTime="2026-04-02T08:00:00.000Z",
        )
    )

    assert trigger.next_run(after=at("2026-04-01T08:00")) == at("2026-04-02T08:00")
    assert trigger.next_run(after=at("2026-04-02T08:00")) is None


SLOT_CASES = [
    ("*/5 * * * *", "Europe/Paris", "2026-03-26T12:00"),  # spring forward
    ("30 2 * * *", "Europe/Paris", "2026-03-26T12:00"),
    ("*/10 1-3 * * *", "Europe/Paris", "2026-10-22T12:00"),  # fall back
    ("15 * * * *", "America/New_York", "2026-10-29T00:00"),
    ("0 9 * * 1-5", "Asia/Kolkata", "2026-03-02T00:00"),
    ("45 */2 * * *", "Asia/Kathmandu", "2026-03-02T00:00"),
    ("*/15 * * * *", "Australia/Lord_Howe", "2026-04-01T00:00"),  # 30 min back
    ("0 8 L * *", "UTC", "2026-02-25T00:00"),
    ("0 0/30 * * * ?", "Europe/London", "2026-03-26T00:00"),  # Quartz
    ("0 15 10 ? * 6L", "Europe/Berlin", "2026-03-25T00:00"),  # last Friday
    ("0 0 12 ? * 2#1 *", "UTC", "2026-03-01T00:00"),  # first Monday
    ("*/30 * * * * ? *", "UTC", "2026-03-02T00:00"),  # every 30 seconds
    ("0 12 * * * 2027", "UTC", "2026-12-28T00:00"),  # a year
    # Runs exactly at the window's start (counted) and at its end (not).
    ("0 12 * * * 2027", "UTC", "2027-01-04T12:00"),
]


@pytest.mark.parametrize(("expression", "zone", "start"), SLOT_CASES)
def test_runs_per_quarter_hour_equal_the_runs_counted_one_by_one(
    expression, zone, start
):
    trigger = read_trigger(cron(expression, zone))
    begin, count = at(start), 8 * 96
    one_by_one = [0] * count
    for run in cron_runs(trigger.engine, trigger.zone, after=at(start) - QUARTER):
        if run >= begin + count * QUARTER:
            break
        if run >= begin:
            one_by_one[(run - begin) // QUARTER] += 1
    by_slot = [0] * count
    for i, runs in cron_slots(trigger.engine, trigger.zone, start=begin, count=count):
        by_slot[i] = runs
    assert by_slot == one_by_one
    assert sum(one_by_one) > 0


def test_a_nearest_weekday_runs_as_croniter_runs_it():
    """`15W` is croniter's to run: the 15th, or the weekday nearest it when
    the 15th falls on a weekend (15 August 2026 is a Saturday)."""
    engine, start = "0 0 12 15W * ? *", datetime(2026, 1, 1, tzinfo=UTC)
    theirs = croniter(engine, start.replace(tzinfo=None), second_at_beginning=True)

    ours = list(islice(cron_runs(engine, "UTC", after=start), 12))

    assert ours == [theirs.get_next(datetime).replace(tzinfo=UTC) for _ in ours]
    assert datetime(2026, 8, 14, 12, tzinfo=UTC) in ours
