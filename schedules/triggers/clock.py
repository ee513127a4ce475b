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
