"""When a schedule's triggers fire: epoch seconds, for the run history.

`compile_trigger` turns one trigger (docs/aac-api.md, Schedules) into a
`Calendar` (local days and times of day in the trigger's time zone), a `Once`
or a `Watcher` (file and table watchers fire when data arrives: here at
pseudo-random instants, about every few hours). Each answers `fires(after,
until)`, the instants in (after, until], so history made in pieces is the
same as history made at once.

An approximation good enough for a run history: a day's noon offset stands
for the whole day, so on the two days a year the clocks change a run may be
an hour off; cron's `W` is read as the plain day. Times of day closer than
`min_interval` are thinned, a simulator economy (a `*/5` cron would otherwise
make 288 runs a day), not a rule of AAC's.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aacsim.chance import draw
from aacsim.vocabulary import DAYS

_DAY = 86400
_UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN")
_MONTH_NAMES += ("JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_WEEKDAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


@dataclass(frozen=True)
class Calendar:
    zone: ZoneInfo
    days: Callable[[date], bool]
    times: tuple[int, ...]  # seconds after local midnight, ascending
    start: float = -math.inf
    end: float = math.inf

    def fires(self, after: float, until: float) -> list[float]:
        low, high = max(after, self.start), min(until, self.end)
        if low >= high or not self.times:
            return []
        day = _local_date(low, self.zone) - timedelta(days=1)
        last = _local_date(high, self.zone)
        fired = []
        while day <= last:
            if self.days(day):
                noon = datetime(day.year, day.month, day.day, 12, tzinfo=self.zone)
                offset = noon.utcoffset().total_seconds()
                midnight = (day.toordinal() - _UNIX_EPOCH_ORDINAL) * _DAY - offset
                fired.extend(
                    midnight + s for s in self.times if low < midnight + s <= high
                )
            day += timedelta(days=1)
        return fired


@dataclass(frozen=True)
class Once:
    at: float

    def fires(self, after: float, until: float) -> list[float]:
        return [self.at] if after < self.at <= until else []


@dataclass(frozen=True)
class Watcher:
    """Fires in about one hour in `hours`, at a minute the key decides."""

    key: int
    hours: int

    def fires(self, after: float, until: float) -> list[float]:
        fired = []
        for hour in range(int(after // 3600), int(until // 3600) + 1):
            bits = draw(self.key, hour)
            at = hour * 3600 + (bits >> 32) % 3600
            if bits % self.hours == 0 and after < at <= until:
                fired.append(float(at))
        return fired


Firing = Calendar | Once | Watcher


def compile_trigger(trigger: dict, *, min_interval: float) -> Firing | None:
    """How `trigger` fires, or None if it never does or cannot be read."""
    if "fileWatcher" in trigger or "tableWatcher" in trigger:
        return Watcher(key=int(trigger.get("id") or 0), hours=2 + trigger["id"] % 10)
    timed = trigger.get("timeBased")
    if not isinstance(timed, dict):
        return None
    try:
        return _time_based(timed, min_interval)
    except (KeyError, TypeError, ValueError):
        return None


def _time_based(timed: dict, min_interval: float) -> Firing | None:
    if "oneTime" in timed:
        return Once(_parse(timed["oneTime"]["utcDateTime"]))
    zone = _zone(timed.get("timezone"))
    found = _rule(timed)
    if found is None:
        return None
    days, times = found
    start, end = timed.get("utcStartDateTime"), timed.get("utcEndDateTime")
    return Calendar(
        zone=zone,
        days=days,
        times=_thin(times, min_interval),
        start=_parse(start) if start else -math.inf,
        end=_parse(end) if end else math.inf,
    )


def _rule(timed: dict):
    """(day test, times of day) of a time-based trigger."""
    if "cron" in timed:
        return _cron(timed["cron"]["expression"])
    kinds = ("hourly", "daily", "weekly", "monthly", "monthlyWeekday")
    kind = next((k for k in kinds if k in timed), None)
    if kind is None:
        return None
    rule = timed[kind]
    minute = rule["minuteOfHour"] * 60
    if kind == "hourly":
        return _every_day, [hour * 3600 + minute for hour in range(24)]
    at = [rule["hourOfDay"] * 3600 + minute]
    if kind == "daily":
        return (_working_day if rule.get("onlyWorkingDays") else _every_day), at
    if kind == "weekly":
        weekdays = {DAYS.index(name) for name in rule["daysOfWeek"]}
        return (lambda d: d.weekday() in weekdays), at
    if kind == "monthly":
        days_of_month = set(rule["daysOfMonth"])
        return (lambda d: d.day in days_of_month), at
    weekday, nth = DAYS.index(rule["dayOfWeek"]), rule["nthWeekDayOfMonth"]
    return (lambda d: d.weekday() == weekday and (d.day - 1) // 7 + 1 == nth), at


def _cron(expression: str):
    """Five-field cron, or AAC's "modified cron" (Quartz: seconds first, `?`,
    `L`, `nL`, `n#k`, an optional year); None if it cannot be read."""
    fields = expression.split()
    if len(fields) == 5:
        minute, hour, dom, month, dow = fields
        quartz = False
    elif len(fields) in (6, 7):
        minute, hour, dom, month, dow = fields[1:6]
        quartz = True
    else:
        return None
    minutes, hours = _values(minute, 0, 59), _values(hour, 0, 23)
    months = _values(month, 1, 12, _MONTHS)
    day_of_month, day_of_week = _dom_test(dom), _dow_test(dow, quartz)
    if day_of_month and day_of_week:  # cron's rule: either restriction matches

        def days(d: date) -> bool:
            return d.month in months and (day_of_month(d) or day_of_week(d))

    else:
        only = day_of_month or day_of_week or _every_day

        def days(d: date) -> bool:
            return d.month in months and only(d)

    return days, [h * 3600 + m * 60 for h in hours for m in minutes]


def _values(field: str, low: int, high: int, names: dict | None = None) -> set[int]:
    found: set[int] = set()
    for item in field.upper().split(","):
        base, _, step = item.partition("/")
        if base in ("*", "?"):
            first, last = low, high
        else:
            first_text, _, last_text = base.partition("-")
            first = _number(first_text, names)
            last = _number(last_text, names) if last_text else (high if step else first)
        found.update(range(first, last + 1, int(step) if step else 1))
    if not found or min(found) < low or max(found) > high:
        raise ValueError(f"cron field {field!r} out of range")
    return found


def _number(text: str, names: dict | None) -> int:
    return names[text] if names and text in names else int(text)


def _dom_test(field: str):
    if field in ("*", "?"):
        return None
    tests = []
    for item in field.upper().split(","):
        if item == "L":
            tests.append(_last_day_of_month)
        else:
            days = _values(item.rstrip("W"), 1, 31)
            tests.append(lambda d, days=days: d.day in days)
    return lambda d: any(test(d) for test in tests)


def _dow_test(field: str, quartz: bool):
    """Quartz counts 1 = Sunday; five-field cron 0 (or 7) = Sunday."""
    if field in ("*", "?"):
        return None
    first = 1 if quartz else 0
    names = {name: first + i for i, name in enumerate(_WEEKDAY_NAMES)}

    def weekday(number: int) -> int:  # Python's: Monday = 0
        return (number - first - 1) % 7

    tests = []
    for item in field.upper().split(","):
        if "#" in item:
            day_text, _, nth = item.partition("#")
            wanted, n = weekday(_number(day_text, names)), int(nth)
            tests.append(
                lambda d, w=wanted, n=n: d.weekday() == w and (d.day - 1) // 7 + 1 == n
            )
        elif item.endswith("L") and len(item) > 1:
            wanted = weekday(_number(item[:-1], names))
            tests.append(
                lambda d, w=wanted: (
                    d.weekday() == w and (d + timedelta(days=7)).month != d.month
                )
            )
        else:
            wanted_days = {weekday(v) for v in _values(item, first, 7, names)}
            tests.append(lambda d, w=wanted_days: d.weekday() in w)
    return lambda d: any(test(d) for test in tests)


def _every_day(_day: date) -> bool:
    return True


def _working_day(day: date) -> bool:
    return day.weekday() < 5


def _last_day_of_month(day: date) -> bool:
    return (day + timedelta(days=1)).month != day.month


def _thin(times: list[int], min_interval: float) -> tuple[int, ...]:
    kept: list[int] = []
    for at in sorted(set(times)):
        if not kept or at - kept[-1] >= min_interval:
            kept.append(at)
    while len(kept) > 1 and kept[0] + _DAY - kept[-1] < min_interval:
        kept.pop()
    return tuple(kept)


def _zone(name) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local_date(instant: float, zone: ZoneInfo) -> date:
    return datetime.fromtimestamp(max(instant, 0), zone).date()


def _parse(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
