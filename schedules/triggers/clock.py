"""When a trigger fires: next runs on a zone's wall clock, and instants from AAC.

Next runs are computed on the wall clock of the trigger's timezone. Our rule
for daylight-saving edges, since AAC does not document its own: a wall time
skipped by the clock change does not fire that day, and a wall time that
happens twice fires once, at its first occurrence (so an hourly trigger skips
the repeated hour's second pass).
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from croniter import CroniterBadDateError, CroniterError, croniter

from lib.zones import zone
from schedules.triggers.fields import (
    CronSets,
    Days,
    croniter_walls,
    read_sets,
    sets_of,
)

# Distinct expressions remembered: a workspace's crons repeat, and each one
# costs a reading (bounded, so memory stays flat).
CACHE_SIZE = 4096
# Candidate wall times examined per next run: enough to cross a daylight-saving
# gap or overlap even for a Quartz cron firing every second.
MAX_STEPS = 10_000


@lru_cache(maxsize=CACHE_SIZE)
def compile_cron(engine: str) -> tuple[CronSets | croniter | None, str]:
    """How the expression's runs are found, or its objection: its sets of
    values (`schedules.triggers.fields`), read by hand or from croniter's
    reading, else a croniter to copy for each use."""
    sets = read_sets(engine)
    if sets is not None:
        return sets, ""
    try:
        template = croniter(engine, datetime(2000, 1, 1), second_at_beginning=True)
    except (CroniterError, ValueError, KeyError, IndexError) as exc:
        return None, f"not understood by the scheduler engine ({exc})"[:300]
    sets = sets_of(
        template.expanded, template.nth_weekday_of_month, template.nearest_weekday
    )
    return sets or template, ""


@lru_cache(maxsize=CACHE_SIZE)
def next_cron_run(
    engine: str,
    zone_name: str,
    *,
    after: datetime,
    start: datetime | None = None,
    end: datetime | None = None,
) -> datetime | None:
    """The first wall-clock match in the zone strictly after `after` (and not
    before `start`, not after `end`), in UTC. Cached: a sync passes one `after`
    for every schedule, and many schedules share an expression."""
    return next(cron_runs(engine, zone_name, after=after, start=start, end=end), None)


def cron_runs(
    engine: str,
    zone_name: str,
    *,
    after: datetime,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Iterator[datetime]:
    """Every run strictly after `after` (not before `start`, not after `end`),
    in UTC and in order, under the daylight-saving rule above; the caller
    stops taking them. Each run is searched within MAX_STEPS candidates."""
    compiled, problem = compile_cron(engine)
    if problem:
        return
    tz = zone(zone_name)
    begin = after
    if start and start > after:
        begin = start - timedelta(microseconds=1)
    wall = begin.astimezone(tz).replace(tzinfo=None)
    if isinstance(compiled, CronSets):
        walls = compiled.walls(wall, engine)
    else:
        walls = croniter_walls(engine, wall)
    steps = 0
    try:
        for wall in walls:
            if steps == MAX_STEPS:
                return
            steps += 1
            at = wall.replace(tzinfo=tz).astimezone(UTC)
            if at.astimezone(tz).replace(tzinfo=None) != wall:
                continue  # skipped by a daylight-saving change
            if at <= begin:
                continue  # the first occurrence of a repeated hour, already past
            if end and at > end:
                return
            steps = 0
            begin = at
            yield at
    except (CroniterBadDateError, CroniterError, OverflowError, ValueError):
        return


QUARTER = timedelta(minutes=15)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Windows of local days remembered, per zone (bounded: days move on).
DAY_CACHE_SIZE = 1024


def cron_slots(
    engine: str, zone_name: str, *, start: datetime, count: int
) -> tuple[tuple[int, int], ...]:
    """The runs of `cron_runs` per quarter hour from `start` (UTC, on a quarter
    hour) for `count` quarter hours, as (quarter hour from `start`, runs) for
    those with runs, in order. Worked out per local day and quarter hour
    rather than run by run (a week of an every-minute cron costs a few
    hundred steps, not ten thousand), from the expression's sets; those
    croniter alone reads are counted one by one. Every zone's clock changes
    on a quarter hour, so a quarter hour is skipped, or repeated and counted
    once, as a whole."""
    sets, problem = compile_cron(engine)
    if problem:
        return ()
    if not isinstance(sets, CronSets):
        return _counted(engine, zone_name, start=start, count=count)
    return day_slots(sets.days, sets.quarters, zone_name, start=start, count=count)


def day_slots(
    days: Days,
    quarters: Iterable[tuple[int, int]],
    zone_name: str,
    *,
    start: datetime,
    count: int,
) -> tuple[tuple[int, int], ...]:
    """As `cron_slots`, for runs at the same local quarter hours, ((hour * 4 +
    quarter of the hour, runs), ...), on every day `days` match: the runs of
    several expressions that fire on the same days, added up, cost one pass."""
    quarters = tuple(quarters)
    slots = []
    month, matching = None, ()
    for year_month, day, window in _window(zone_name, start, count):
        if year_month != month:
            month, matching = year_month, days.of_month(*year_month)
        if day in matching:
            for i, runs in quarters:
                at = window[i]
                if at is not None:
                    slots.append((at, runs))
    # In order already: a later wall time's first pass is never earlier.
    return tuple(slots)


def _counted(engine: str, zone_name: str, *, start: datetime, count: int):
    slots: Counter = Counter()
    end = start + count * QUARTER
    for at in cron_runs(engine, zone_name, after=start - timedelta(microseconds=1)):
        if at >= end:
            break
        slots[(at - start) // QUARTER] += 1
    return tuple(sorted(slots.items()))


@lru_cache(maxsize=DAY_CACHE_SIZE)
def _window(zone_name: str, start: datetime, count: int) -> tuple:
    """The local days that overlap `count` quarter hours from `start`, as
    ((year, month), day, quarters): each of the day's 96 local quarter hours
    as the quarter hour from `start` it begins, None when the clock skips it
    or it falls outside. A repeated one is its first pass (the rule above)."""
    tz = zone(zone_name)
    first = (start - EPOCH) // QUARTER
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = (start + count * QUARTER).astimezone(tz).date()
    window = []
    while day <= last:
        quarters: list[int | None] = []
        for hour in range(24):
            wall = datetime(day.year, day.month, day.day, hour)
            at = _first_pass(wall, tz)
            # An hour the clock runs through unchanged: its four quarters at
            # once (a clock change within it shows at its start or its end).
            if at is not None and _first_pass(wall + 3 * QUARTER, tz) == (
                at + 3 * QUARTER
            ):
                i = (at - EPOCH) // QUARTER - first
                quarters += [i + k if 0 <= i + k < count else None for k in range(4)]
                continue
            for k in range(4):
                at = _first_pass(wall + k * QUARTER, tz)
                i = None if at is None else (at - EPOCH) // QUARTER - first
                quarters.append(i if i is not None and 0 <= i < count else None)
        window.append(((day.year, day.month), day.day, tuple(quarters)))
        day += timedelta(days=1)
    return tuple(window)


def _first_pass(wall: datetime, tz) -> datetime | None:
    """The UTC instant of a wall time's first occurrence; None when skipped."""
    at = wall.replace(tzinfo=tz).astimezone(UTC)
    return at if at.astimezone(tz).replace(tzinfo=None) == wall else None


def parse_instant(value: object) -> datetime | None:
    """ISO-8601 (AAC's usual form) or epoch milliseconds/seconds, as aware UTC.

    None when the value is none of these; naive ISO times are taken as UTC.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
