"""When a trigger fires: next runs on a zone's wall clock, and instants from AAC.

Next runs are computed on the wall clock of the trigger's timezone. Our rule
for daylight-saving edges, since AAC does not document its own: a wall time
skipped by the clock change does not fire that day, and a wall time that
happens twice fires once, at its first occurrence (so an hourly trigger skips
the repeated hour's second pass).
"""

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from croniter import CroniterBadDateError, CroniterError, croniter

from lib.zones import zone

# Distinct expressions remembered: a workspace's crons repeat, and each one
# costs croniter and cron-descriptor a parse (bounded, so memory stays flat).
CACHE_SIZE = 4096
# Candidate wall times examined per next run: enough to cross a daylight-saving
# gap or overlap even for a Quartz cron firing every second.
MAX_STEPS = 10_000


@lru_cache(maxsize=CACHE_SIZE)
def compile_cron(engine: str) -> tuple[croniter | None, str]:
    """A croniter for the expression, to copy for each use, or its objection."""
    try:
        return croniter(engine, datetime(2000, 1, 1), second_at_beginning=True), ""
    except (CroniterError, ValueError, KeyError, IndexError) as exc:
        return None, f"not understood by the scheduler engine ({exc})"[:300]


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
    template, problem = compile_cron(engine)
    if problem:
        return
    tz = zone(zone_name)
    begin = after
    if start and start > after:
        begin = start - timedelta(microseconds=1)
    candidates = copy.copy(template)
    candidates.set_current(begin.astimezone(tz).replace(tzinfo=None))
    steps = 0
    try:
        while steps < MAX_STEPS:
            steps += 1
            wall = candidates.get_next(datetime)
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
# Local dates, hours and quarter hours remembered (bounded: days move on).
WALL_CACHE_SIZE = 65_536


def cron_slots(
    engine: str, zone_name: str, *, start: datetime, count: int
) -> tuple[int, ...]:
    """The runs of `cron_runs` per quarter hour from `start` (UTC, on a quarter
    hour) for `count` quarter hours, worked out per local day and quarter hour
    rather than run by run: a week of an every-minute cron costs a few hundred
    steps, not ten thousand. Days match as croniter matches them (L, #, W,
    years); seconds, minutes and hours must be plain numbers, else the runs
    are counted one by one. Every zone's clock changes on a quarter hour, so a
    quarter hour is skipped, or repeated and counted once, as a whole."""
    shape = _clock_fields(engine)
    end = start + count * QUARTER
    if shape is None:
        return _counted(engine, zone_name, start=start, count=count)
    hours, quarters = shape
    days = " ".join(engine.split(" ")[3:])
    slots = [0] * count
    tz = zone(zone_name)
    date = start.astimezone(tz).date() - timedelta(days=1)
    while date <= end.astimezone(tz).date():
        if _runs_on(days, date):
            for hour in hours:
                for quarter, runs in quarters:
                    at = _wall_quarter(zone_name, date, hour, quarter)
                    if at is not None and start <= at < end:
                        slots[(at - start) // QUARTER] += runs
        date += timedelta(days=1)
    return tuple(slots)


def _counted(engine: str, zone_name: str, *, start: datetime, count: int):
    slots = [0] * count
    end = start + count * QUARTER
    for at in cron_runs(engine, zone_name, after=start - timedelta(microseconds=1)):
        if at >= end:
            break
        slots[(at - start) // QUARTER] += 1
    return tuple(slots)


@lru_cache(maxsize=CACHE_SIZE)
def _clock_fields(engine: str) -> tuple[tuple[int, ...], tuple] | None:
    """The hours of an engine expression, and its runs per quarter of an hour
    ((quarter, runs), ...); None when its seconds, minutes or hours are not
    plain numbers."""
    fields = engine.split(" ")
    if len(fields) != 7:
        return None
    seconds, minutes, hours = (_field(i, f) for i, f in enumerate(fields[:3]))
    if seconds is None or minutes is None or hours is None:
        return None
    per_quarter = [0] * 4
    for minute in minutes:
        per_quarter[minute // 15] += len(seconds)
    quarters = tuple((q, n) for q, n in enumerate(per_quarter) if n)
    return hours, quarters


# Where each of the first three engine fields sits in croniter's expansion,
# and how many values it has.
_FIELDS = ((5, 60), (0, 60), (1, 24))


@lru_cache(maxsize=CACHE_SIZE)
def _field(position: int, field: str) -> tuple[int, ...] | None:
    """The values of the engine's seconds (0), minutes (1) or hours (2) field;
    cached per field, which far fewer expressions differ in."""
    expression = ["0", "0", "0", "*", "*", "*", "*"]
    expression[position] = field
    try:
        expanded, _ = croniter.expand(" ".join(expression), second_at_beginning=True)
    except (CroniterError, ValueError, KeyError, IndexError):
        return None
    index, size = _FIELDS[position]
    values = expanded[index]
    if values == ["*"]:
        return tuple(range(size))
    if not all(isinstance(value, int) for value in values):
        return None
    return tuple(sorted(set(values)))


@lru_cache(maxsize=WALL_CACHE_SIZE)
def _runs_on(days: str, date) -> bool:
    """Whether an expression's day fields (day, month, weekday, year) match;
    shared by every expression with the same."""
    midnight = datetime(date.year, date.month, date.day)
    matcher = croniter(
        f"0 0 0 {days}",
        midnight - timedelta(microseconds=1),
        second_at_beginning=True,
    )
    try:
        return matcher.get_next(datetime) == midnight
    except (CroniterBadDateError, CroniterError, OverflowError, ValueError):
        return False


@lru_cache(maxsize=WALL_CACHE_SIZE)
def _wall_quarter(zone_name: str, date, hour: int, quarter: int) -> datetime | None:
    """The UTC start of a local quarter hour; None when the clock skips it. A
    repeated one is its first pass (the rule above)."""
    tz = zone(zone_name)
    wall = datetime(date.year, date.month, date.day, hour, quarter * 15)
    at = wall.replace(tzinfo=tz).astimezone(UTC)
    if at.astimezone(tz).replace(tzinfo=None) != wall:
        return None
    return at


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
