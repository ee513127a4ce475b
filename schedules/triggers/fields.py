"""Cron expressions as the sets of values they fire at, and the wall times those give.

croniter reads an expression with a dozen regular expressions a field and
walks to each next run through relativedelta arithmetic; with thousands of
distinct expressions in a workspace that was most of a sync's time. Here the
common forms (numbers, names, ranges, steps and lists, `*`, `?`, a last day
`L`, a last weekday `L5`, an nth weekday `1#2`) are read by hand, a field at
a time (far fewer fields differ than expressions), into exactly croniter's
expansion; the wall times are then the matching dates crossed with the
matching times of day. What is not read here (`W`, years, hashes, wrapping
ranges, an nth weekday with a day of month) is croniter's, as before.
tests/schedules/triggers/test_fields.py holds both to croniter's answers.
"""

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache

from croniter import croniter

# croniter's index of each engine field (the engine writes seconds first).
SECOND, MINUTE, HOUR, DAY, MONTH, WEEKDAY, YEAR = 5, 0, 1, 2, 3, 4, 6
ENGINE_ORDER = (SECOND, MINUTE, HOUR, DAY, MONTH, WEEKDAY, YEAR)
# Fields remembered: few differ, however many expressions do.
FIELD_CACHE_SIZE = 4096
# Matching days remembered per (days, year, month): bounded, months move on.
MONTH_CACHE_SIZE = 16_384
# Years searched for the next matching date before croniter takes over (it
# searches 50, then gives up): a 29 February is at most 8 years away.
SCAN_YEARS = 8

_ITEM = re.compile(r"(\*|[0-9a-z]+)(?:-([0-9a-z]+))?(?:/([0-9]+))?", re.ASCII)
_LAST_WEEKDAY = re.compile(r"l([0-7])", re.ASCII)
_NTH_WEEKDAY = re.compile(r"([0-7])#([1-5])", re.ASCII)


@dataclass(frozen=True)
class Days:
    """The dates an expression fires on, as croniter matches them."""

    # None: any (croniter's "*").
    days: frozenset[int] | None
    # The last day of the month (`L`).
    last: bool
    months: frozenset[int] | None
    # 0 = Sunday.
    weekdays: frozenset[int] | None
    # Nth weekdays: ((weekday, (n or "l", ...)), ...); then `weekdays` is
    # None (croniter matches these instead) and `days` too.
    nth: tuple = ()

    def of_month(self, year: int, month: int) -> tuple[int, ...]:
        """The month's matching days, in order."""
        return _days_of_month(self, year, month)


@dataclass(frozen=True)
class CronSets:
    """An engine expression (seven fields, seconds first) as sets of values."""

    seconds: tuple[int, ...]
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: Days

    @cached_property
    def quarters(self) -> tuple[tuple[int, int], ...]:
        """The quarter hours of a matching day with runs: ((hour * 4 + quarter
        of the hour, runs), ...), in order."""
        per_quarter = [0] * 4
        for minute in self.minutes:
            per_quarter[minute // 15] += len(self.seconds)
        return tuple(
            (hour * 4 + quarter, runs)
            for hour in self.hours
            for quarter, runs in enumerate(per_quarter)
            if runs
        )

    def walls(self, after: datetime, engine: str) -> Iterator[datetime]:
        """Every matching wall time (naive) strictly after `after`, in order:
        croniter's `get_next` sequence. Past SCAN_YEARS without a match,
        croniter carries on from the last one (and ends where it gives up)."""
        year, month, last = after.year, after.month, after
        first = (after.year, after.month, after.day)
        while True:
            for day in self.days.of_month(year, month):
                if (year, month, day) < first:
                    continue
                if (year, month, day) == first:
                    times = self._times_after(after.hour, after.minute, after.second)
                else:
                    times = self._times()
                for hour, minute, second in times:
                    last = datetime(year, month, day, hour, minute, second)
                    yield last
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            if year > last.year + SCAN_YEARS:
                yield from croniter_walls(engine, last)
                return

    def _times(self) -> Iterator[tuple[int, int, int]]:
        for hour in self.hours:
            for minute in self.minutes:
                for second in self.seconds:
                    yield hour, minute, second

    def _times_after(self, hour: int, minute: int, second: int):
        """The times of day strictly after hour:minute:second."""
        for h in self.hours:
            if h < hour:
                continue
            for m in self.minutes:
                if h == hour and m < minute:
                    continue
                for s in self.seconds:
                    if (h, m) == (hour, minute) and s <= second:
                        continue
                    yield h, m, s


def croniter_walls(engine: str, after: datetime) -> Iterator[datetime]:
    """croniter's matching wall times after `after` (naive); it raises
    CroniterBadDateError where it finds none."""
    candidates = croniter(engine, after, second_at_beginning=True)
    while True:
        yield candidates.get_next(datetime)


def read_sets(engine: str) -> CronSets | None:
    """The expression as sets, read by hand; None when it is not (croniter's
    to read, and to object to)."""
    fields = engine.split(" ")
    if len(fields) != 7 or fields[6] != "*":
        return None
    seconds = _times_of(SECOND, fields[0])
    minutes = _times_of(MINUTE, fields[1])
    hours = _times_of(HOUR, fields[2])
    days = _days_of(*fields[3:6])
    if seconds is None or minutes is None or hours is None or days is None:
        return None
    return CronSets(seconds, minutes, hours, days)


def sets_of(expanded: list, nth: dict, nearest: set) -> CronSets | None:
    """The sets of croniter's expansion (its `expanded`, `nth_weekday_of_month`
    and `nearest_weekday`); None for what they cannot say: `W`, years, an
    nth weekday with a day of month, any weekday's nth (`*#2`)."""
    if nearest or len(expanded) != 7 or expanded[YEAR] != ["*"]:
        return None
    if not all(_plain(index, field) for index, field in enumerate(expanded[:YEAR])):
        return None
    days = _days(expanded[DAY], expanded[MONTH], expanded[WEEKDAY], nth)
    if days is None:
        return None
    return CronSets(
        _all(expanded[SECOND], SECOND),
        _all(expanded[MINUTE], MINUTE),
        _all(expanded[HOUR], HOUR),
        days,
    )


@lru_cache(maxsize=FIELD_CACHE_SIZE)
def _times_of(index: int, text: str) -> tuple[int, ...] | None:
    """A seconds, minutes or hours field's values."""
    read = _read_field(index, text.lower(), True)
    return None if read is None else _all(read[0], index)


@lru_cache(maxsize=FIELD_CACHE_SIZE)
def _days_of(day: str, month: str, weekday: str) -> Days | None:
    """The day fields' dates. croniter reads a full list of days of the month
    (or of weekdays) as "*" only when the other day field holds a "*" (a "?"
    does not)."""
    days = _read_field(DAY, day.lower(), "*" in weekday)
    months = _read_field(MONTH, month.lower(), True)
    weekdays = _read_field(WEEKDAY, weekday.lower(), "*" in day)
    if days is None or months is None or weekdays is None:
        return None
    nth: dict = {}
    for number, n in weekdays[1]:
        nth.setdefault(number, set()).add(n)
    if nth and set(weekdays[0]) != set(nth):
        return None  # nth weekdays mixed with plain ones: croniter objects
    return _days(days[0], months[0], weekdays[0], nth)


def _days(day: list, month: list, weekday: list, nth: dict) -> Days | None:
    if nth and (day != ["*"] or "*" in nth):
        return None
    return Days(
        days=None if day == ["*"] else frozenset(d for d in day if d != "l"),
        last="l" in day,
        months=None if month == ["*"] else frozenset(month),
        weekdays=None if nth or weekday == ["*"] else frozenset(weekday),
        nth=tuple(sorted((w, tuple(sorted(ns, key=str))) for w, ns in nth.items())),
    )


def _plain(index: int, field: list) -> bool:
    """Whether a field is "*" or numbers (and `L` for the day of month)."""
    if field == ["*"]:
        return True
    return all(type(v) is int or (index == DAY and v == "l") for v in field)


def _all(field: list, index: int) -> tuple[int, ...]:
    low, high = croniter.RANGES[index]
    return tuple(range(low, high + 1)) if field == ["*"] else tuple(field)


@lru_cache(maxsize=MONTH_CACHE_SIZE)
def _days_of_month(days: Days, year: int, month: int) -> tuple[int, ...]:
    if days.months is not None and month not in days.months:
        return ()
    first, length = calendar.monthrange(year, month)
    sunday_first = (first + 1) % 7  # croniter's weekday of the 1st, 0 = Sunday
    if days.nth:
        found = set()
        for weekday, ns in days.nth:
            dates = range(1 + (weekday - sunday_first) % 7, length + 1, 7)
            for n in ns:
                if n == "l":
                    found.add(dates[-1])
                elif n <= len(dates):
                    found.add(dates[n - 1])
        return tuple(sorted(found))
    matching = []
    for day in range(1, length + 1):
        of_month = (days.days is not None and day in days.days) or (
            days.last and day == length
        )
        restricted = days.days is not None or days.last
        of_week = days.weekdays is not None and (
            (sunday_first + day - 1) % 7 in days.weekdays
        )
        if days.weekdays is None:
            matches = of_month or not restricted
        elif restricted:
            matches = of_month or of_week  # cron's rule: either restriction
        else:
            matches = of_week
        if matches:
            matching.append(day)
    return tuple(matching)


def _read_field(index: int, text: str, full_is_any: bool) -> tuple[list, tuple] | None:
    """croniter's expansion of one field (its values, sorted, or ["*"]) and
    its nth weekdays ((weekday, n or "l"), ...); None when it is not read
    here."""
    if text == "*" or (text == "?" and index in (DAY, WEEKDAY)):
        return ["*"], ()
    values: set = set()
    nth = []
    for item in text.split(","):
        if index == DAY and item == "l":
            values.add("l")
            continue
        if index == WEEKDAY and (
            match := _LAST_WEEKDAY.fullmatch(item) or _NTH_WEEKDAY.fullmatch(item)
        ):
            weekday = int(match.group(1)) % 7
            n = "l" if item[0] == "l" else int(match.group(2))
            values.add(weekday)
            nth.append((weekday, n))
            continue
        read = _read_item(index, item)
        if read is None:
            return None
        values.update(read)
    if len(values) == croniter.LEN_MEANS_ALL[index] and full_is_any:
        return ["*"], ()
    return sorted(values, key=lambda v: f"{v:02}" if isinstance(v, int) else v), (
        tuple(nth)
    )


def _read_item(index: int, item: str) -> range | list[int] | None:
    """One item of a list: a value, a range, or a step."""
    match = _ITEM.fullmatch(item)
    if match is None:
        return None
    low_text, high_text, step_text = match.groups()
    low_bound, high_bound = croniter.RANGES[index]
    step = int(step_text) if step_text else 1
    if step == 0:
        return None
    if low_text == "*":
        if high_text is not None or step_text is None:
            return None
        return range(low_bound, high_bound + 1, step)
    low = _value(index, low_text)
    if low is None:
        return None
    if high_text is None:
        if step_text is None:
            return [low]
        if index == WEEKDAY and low_text.isdigit() and int(low_text) == 7:
            return None  # croniter reads "7/2" as from Sunday (0)
        # "{start}/{step}": to the end of the field.
        return range(low, high_bound + 1, step)
    high = _value(index, high_text)
    if high is None or not low < high:
        return None  # an equal range is the whole field; a reversed one wraps
    return range(low, high + 1, step)


def _value(index: int, text: str) -> int | None:
    """A number or a name in its field's range (weekday 7 is Sunday, 0)."""
    if text.isdigit():
        value = int(text)
        if index == WEEKDAY and value == 7:
            value = 0
    elif index in (MONTH, WEEKDAY) and text in croniter.ALPHACONV[index]:
        value = croniter.ALPHACONV[index][text]
    else:
        return None
    low, high = croniter.RANGES[index]
    return value if low <= value <= high else None
