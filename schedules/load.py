"""The upcoming load: every run of the enabled schedules in the coming week, counted
per quarter hour, from the stored trigger columns.

A schedule's `next_run_at` is one run; an every-five-minutes schedule runs
2,016 times a week, and the load counts each. The database groups the
schedules by what decides their runs (`cron` and `timezone`, or the one-time
instant), so the work grows with the number of distinct triggers, not of
schedules. A distinct cron adds its runs per local quarter hour of a day to
those of the crons that fire on the same days in the same zone, and each such
day is laid on the week's local days once (`schedules.triggers.clock.day_slots`,
under its daylight-saving rule); the crons croniter alone reads are worked out
per quarter hour (`cron_slots`). Only the
schedules whose columns do not tell the whole story are read one by one,
from their raw triggers: several triggers (the columns hold the first), or a
start or end date (their description says "from" or "until"). Counting per
quarter hour of UTC keeps a `Load` cheap to store and add up per workspace,
and exact for any viewer's timezone (every zone's offset is a whole number of
quarter hours). The current quarter hour counts from its start. Two triggers
of one schedule firing at the same instant count twice.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from itertools import takewhile

from django.db.models import Count, Q, QuerySet

from schedules.models import Schedule
from schedules.parse import MANY_TRIGGERS, triggers_of
from schedules.triggers.clock import compile_cron, cron_slots, day_slots
from schedules.triggers.fields import CronSets
from schedules.triggers.reader import FROM, UNTIL, Trigger, cron_trigger

SLOT = timedelta(minutes=15)
SLOTS_PER_DAY = 96
DAYS = 7

# Read one by one: their columns hold only part of what decides their runs.
IRREGULAR = (
    Q(note__contains=MANY_TRIGGERS)
    | Q(description__contains=FROM)
    | Q(description__contains=UNTIL)
)


@dataclass(frozen=True)
class Load:
    """Runs per quarter hour of UTC from `start` (a quarter hour), for DAYS days
    unless made for longer (a stored summary outlives its moment)."""

    start: datetime
    slots: tuple[int, ...]

    def __add__(self, other: "Load") -> "Load":
        if other.start != self.start:
            raise ValueError("loads of different weeks do not add up")
        return Load(
            self.start,
            tuple(a + b for a, b in zip(self.slots, other.slots, strict=True)),
        )

    @property
    def total(self) -> int:
        return sum(self.slots)

    def hours(self, tz: tzinfo) -> Counter:
        """Runs per local hour (a naive datetime on `tz`'s wall clock, on the
        hour: both passes of a repeated hour count under one)."""
        hours: Counter = Counter()
        for i, runs in enumerate(self.slots):
            if runs:
                local = (self.start + i * SLOT).astimezone(tz)
                hours[local.replace(minute=0, tzinfo=None)] += runs
        return hours

    def by_weekday_and_hour(self, tz: tzinfo) -> list[list[int]]:
        """grid[weekday][hour] (0 = Monday) in `tz`. The week holds each local
        hour once, but for the current hour (part now, part a week on) and a
        repeated hour when the clock goes back (both passes)."""
        grid = [[0] * 24 for _ in range(7)]
        for hour, runs in self.hours(tz).items():
            grid[hour.weekday()][hour.hour] += runs
        return grid

    def busiest(self, tz: tzinfo, *, count: int) -> list[tuple[datetime, int]]:
        """The `count` local hours with the most runs, the earlier first on ties."""
        ranked = sorted(self.hours(tz).items(), key=lambda item: (-item[1], item[0]))
        return ranked[:count]


def week_start(now: datetime) -> datetime:
    """The quarter hour `now` falls in, in UTC: where a `Load` begins."""
    now = now.astimezone(UTC)
    return now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)


def upcoming_load(
    schedules: QuerySet[Schedule], *, now: datetime, days: int = DAYS
) -> Load:
    """The load of the enabled `schedules` for `days` days from `week_start(now)`
    (a summary keeps a day more than a week: it is read until the next sync).

    Three queries: the grouped crons, the grouped one-time instants, and the
    few schedules read from their raw triggers.
    """
    start = week_start(now)
    until = start + timedelta(days=days)
    # A schedule without a next run never fires again (or waits for a file or
    # a table); one whose next run is past the week does not fire in it.
    firing = schedules.filter(
        enabled=True, next_run_at__isnull=False, next_run_at__lt=until
    ).order_by()
    slots = [0] * (days * SLOTS_PER_DAY)
    regular = firing.exclude(IRREGULAR)
    crons = regular.exclude(cron="").values_list("cron", "timezone")
    # Local quarter hour of the day -> runs, per (days, zone): the crons that
    # fire on the same days in the same zone are laid on the week together.
    daily: defaultdict = defaultdict(Counter)
    for cron, zone_name, n in crons.annotate(n=Count("workspace")):
        trigger = cron_trigger(cron, zone_name)
        sets = compile_cron(trigger.engine)[0]
        if not isinstance(sets, CronSets):
            _add_trigger(slots, trigger, start, n)
            continue
        day = daily[sets.days, trigger.zone]
        for i, runs in sets.quarters:
            day[i] += n * runs
    for (matching, zone_name), day in daily.items():
        for i, runs in day_slots(
            matching, day.items(), zone_name, start=start, count=len(slots)
        ):
            slots[i] += runs
    once = regular.filter(cron="", next_run_at__gte=start).values_list("next_run_at")
    for at, n in once.annotate(n=Count("workspace")):
        slots[(at - start) // SLOT] += n
    for raw in firing.filter(IRREGULAR).values_list("raw", flat=True).iterator():
        for trigger in triggers_of(raw):
            _add_trigger(slots, trigger, start, 1)
    return Load(start, tuple(slots))


def _add_trigger(slots: list[int], trigger: Trigger, start: datetime, n: int) -> None:
    """Add `n` times the runs of `trigger` in the week from `start` to `slots`."""
    if trigger.once_at is not None:
        if start <= trigger.once_at < start + len(slots) * SLOT:
            slots[(trigger.once_at - start) // SLOT] += n
        return
    if not trigger.engine:
        return
    # Whole quarter hours (lo to hi) from the cron's runs per quarter hour;
    # those a start or end date cuts, run by run.
    lo, hi, cut = 0, len(slots), set()
    if trigger.start and trigger.start > start:
        lo = -(-(trigger.start - start) // SLOT)
        cut.add(lo - 1)
    if trigger.end:
        hi = max(0, min(hi, (trigger.end - start) // SLOT))
        cut.add(hi)
    week = cron_slots(trigger.engine, trigger.zone, start=start, count=len(slots))
    for i, runs in week:
        if lo <= i < hi:
            slots[i] += n * runs
    for i in cut:
        if 0 <= i < len(slots):
            begin = start + i * SLOT
            slots[i] += n * _runs_between(trigger, begin, begin + SLOT)


def _runs_between(trigger: Trigger, begin: datetime, end: datetime) -> int:
    """Runs of `trigger` (within its own bounds) in [begin, end)."""
    runs = trigger.runs(after=begin - timedelta(microseconds=1))
    return sum(1 for _ in takewhile(lambda at: at < end, runs))
