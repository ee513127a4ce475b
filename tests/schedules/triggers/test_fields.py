"""Cron fields read by hand give croniter's answers: the same expansion, the same
objections, the same runs across daylight-saving edges (`schedules.triggers.fields`).

The expressions are generated (a fixed seed) from the forms AAC's crons take
and from the corner cases of croniter's reading; each is compared with
croniter alone, in several zones, from instants near clock changes.
"""

import random
from datetime import UTC, datetime, timedelta

import pytest
from croniter import CroniterBadDateError, CroniterError, croniter

from lib.zones import zone
from schedules.triggers import clock
from schedules.triggers.clock import MAX_STEPS, QUARTER, cron_runs, cron_slots
from schedules.triggers.fields import CronSets, read_sets, sets_of

# Each field: the forms crons commonly take, then odd ones (croniter's
# corner cases, and what it refuses), drawn one time in ten.
SECONDS = (
    ["0", "0", "0", "30", "*/30", "0,30", "10-20/5", "0/20"],
    ["59", "60", "*/0"],
)
MINUTES = (
    ["0", "5", "15", "30", "45", "59", "*", "*/5", "*/15", "0/30", "10-50/15", "0,30"],
    ["59/15", "5-10", "10-10", "50-10", "7,7,3", "007", "60", "-5", "a", "*,5"],
)
HOURS = (
    ["0", "2", "3", "9", "12", "23", "*", "*/2", "*/6", "1-3", "9-17", "0,12", "2,14"],
    ["22-2", "24", "1-3/2", "0/8", "23/4", "1-1"],
)
DAYS = (
    ["*", "*", "*", "?", "1", "15", "29", "30", "31", "L", "1,L", "1-15", "*/10"],
    ["1-31", "10/7", "15W", "LW", "0", "32", "l", "5-5", "31,30", "L-3"],
)
MONTHS = (
    ["*", "*", "*", "*", "1", "2", "2,8", "jan-mar", "FEB", "*/3"],
    ["1-12", "12/2", "13", "jan-jan", "dec-feb", "0"],
)
WEEKDAYS = (
    ["*", "*", "*", "?", "0", "1", "6", "7", "1-5", "MON-FRI", "mon,wed,fri", "L5"],
    [
        *("sun,sat", "0-6", "5-7", "0-7", "L0", "L7", "2#1", "1#5", "7#3", "0#2,3#4"),
        *("1#1,3", "1#6", "mon#2", "fri/2", "7/2", "*/2", "8", "L", "2#1,2#3"),
    ],
)
YEARS = (["*"], ["2027", "2026-2030", "2022-2025"])
ZONES = [
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "Australia/Lord_Howe",  # half an hour back and forth
    "Asia/Kathmandu",  # a quarter-hour offset
    "America/Sao_Paulo",  # no daylight saving any more
    "Pacific/Chatham",
    "Antarctica/Troll",  # two hours
]
# Near the clock changes of those zones, and elsewhere.
INSTANTS = [
    "2026-03-08T06:59:59",
    "2026-03-29T00:30:00",
    "2026-04-04T14:45:00",
    "2026-10-25T00:59:30",
    "2026-11-01T05:30:00",
    "2026-09-26T13:45:00",
    "2026-02-28T23:59:59.500000",
    "2028-02-28T12:00:00",
    "2026-12-31T23:00:00",
    "2026-07-15T08:00:00",
]


def generated(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    fields = (SECONDS, MINUTES, HOURS, DAYS, MONTHS, WEEKDAYS, YEARS)
    return [
        " ".join(
            rng.choice(odd if rng.random() < 0.1 else common) for common, odd in fields
        )
        for _ in range(count)
    ]


EXPRESSIONS = generated(400, seed=14)


def croniter_reading(engine: str) -> croniter | None:
    try:
        return croniter(engine, datetime(2000, 1, 1), second_at_beginning=True)
    except (CroniterError, ValueError, KeyError, IndexError):
        return None


def croniter_runs(engine: str, zone_name: str, after: datetime, count: int) -> list:
    """The runs as `cron_runs` found them with croniter alone (the rule of
    `schedules.triggers.clock` for daylight-saving edges)."""
    tz = zone(zone_name)
    candidates = croniter(engine, datetime(2000, 1, 1), second_at_beginning=True)
    candidates.set_current(after.astimezone(tz).replace(tzinfo=None))
    runs, begin, steps = [], after, 0
    try:
        while len(runs) < count and steps < MAX_STEPS:
            steps += 1
            wall = candidates.get_next(datetime)
            at = wall.replace(tzinfo=tz).astimezone(UTC)
            if at.astimezone(tz).replace(tzinfo=None) != wall or at <= begin:
                continue
            steps, begin = 0, at
            runs.append(at)
    except (CroniterBadDateError, CroniterError, OverflowError, ValueError):
        pass
    return runs


def test_the_generated_expressions_cover_both_readings_and_objections():
    read = [e for e in EXPRESSIONS if read_sets(e) is not None]
    refused = [e for e in EXPRESSIONS if croniter_reading(e) is None]

    assert len(read) > 170
    assert len(refused) > 40
    assert len(EXPRESSIONS) - len(read) - len(refused) > 40  # croniter's alone


@pytest.mark.parametrize("engine", EXPRESSIONS)
def test_fields_read_by_hand_expand_as_croniter_expands_them(engine):
    sets = read_sets(engine)
    reading = croniter_reading(engine)

    if sets is not None:
        assert reading is not None, "read by hand, refused by croniter"
        expanded = (
            reading.expanded,
            reading.nth_weekday_of_month,
            reading.nearest_weekday,
        )
        assert sets == sets_of(*expanded)
    compiled, problem = clock.compile_cron(engine)
    assert bool(problem) == (reading is None)
    if reading is not None and sets is None:
        # croniter read it: its sets when they can say it, else croniter walks.
        assert isinstance(compiled, CronSets | croniter)


@pytest.mark.parametrize("engine", EXPRESSIONS)
def test_runs_equal_croniters_in_every_zone_across_clock_changes(engine):
    if croniter_reading(engine) is None:
        assert list(cron_runs(engine, "UTC", after=datetime.now(UTC))) == []
        return
    rng = random.Random(engine)
    for zone_name in rng.sample(ZONES, 3):
        for instant in rng.sample(INSTANTS, 3):
            after = datetime.fromisoformat(instant).replace(tzinfo=UTC)
            runs = cron_runs(engine, zone_name, after=after)
            expected = croniter_runs(engine, zone_name, after, 6)
            assert [next(runs, None) for _ in expected] == expected, (
                zone_name,
                instant,
            )


@pytest.mark.parametrize("engine", EXPRESSIONS[:200])
def test_runs_per_quarter_hour_equal_the_runs_counted_one_by_one(engine):
    if croniter_reading(engine) is None:
        return
    rng = random.Random(engine)
    zone_name = rng.choice(ZONES)
    start = datetime.fromisoformat(rng.choice(INSTANTS)).replace(
        tzinfo=UTC, minute=0, second=0, microsecond=0
    ) - timedelta(days=2)
    count = 3 * 96
    one_by_one: dict[int, int] = {}
    for run in cron_runs(engine, zone_name, after=start - timedelta(microseconds=1)):
        if run >= start + count * QUARTER:
            break
        slot = (run - start) // QUARTER
        one_by_one[slot] = one_by_one.get(slot, 0) + 1

    slots = cron_slots(engine, zone_name, start=start, count=count)
    assert list(slots) == sorted(one_by_one.items())


def test_a_cron_that_matches_no_date_for_years_is_left_to_croniter():
    """29 February: matched by hand within the years searched. 30 February:
    croniter searches on, and gives up (no run), as before."""
    leap = "0 0 12 29 2 * *"
    never = "0 0 12 30 2 * *"
    after = datetime(2097, 3, 1, tzinfo=UTC)
    next_leap_day = datetime(2104, 2, 29, 12, tzinfo=UTC)

    assert next(cron_runs(leap, "UTC", after=after)) == next_leap_day
    assert croniter_runs(leap, "UTC", after, 1) == [next_leap_day]
    assert list(cron_runs(never, "UTC", after=after)) == []


def test_a_wall_time_searched_past_max_steps_ends_the_runs_as_croniter_did():
    """Samoa skipped 30 December 2011: every second of it is a candidate that
    does not exist, more than MAX_STEPS of them."""
    engine = "* * * * * * *"
    after = datetime(2011, 12, 30, 9, 59, 58, tzinfo=UTC)  # 29th, 23:59:58 local

    runs = list(cron_runs(engine, "Pacific/Apia", after=after))

    assert runs == croniter_runs(engine, "Pacific/Apia", after, 10)
    assert len(runs) == 1
