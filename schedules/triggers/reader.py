"""AAC triggers read: their kind, plain words, cron and what their next run needs.

AAC sends a trigger as `timeBased` (cron, daily, hourly, weekly, monthly,
monthlyWeekday, oneTime, with an IANA timezone), `fileWatcher` or
`tableWatcher`. Every time-based kind but oneTime is turned into one cron
expression, so one engine computes every next run (`clock`) and one describer
words cron triggers (`cron`); the other kinds are worded here, as "Every day
at 02:30, Europe/Paris". What cannot be read is shown as sent, with a note,
never an exception.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from lib.zones import zone
from schedules.models import TriggerKind
from schedules.triggers.clock import cron_runs, next_cron_run, parse_instant
from schedules.triggers.cron import DAYS, cron_words, read_cron

NTH = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}
NTH_NAMES = {name.upper(): n for n, name in NTH.items()}
LAST = ("LAST", "-1")
# How a trigger's start and end dates are worded in its description: the upcoming load
# (`schedules.load`) reads the schedules whose description holds it one by one.
FROM, UNTIL = ", from ", ", until "


@dataclass(frozen=True)
class Trigger:
    """One AAC trigger, read: its kind, words and what its next run needs."""

    kind: str
    description: str
    cron: str = ""
    timezone: str = ""
    notes: tuple[str, ...] = ()
    # What the reader did not understand; the schedule is counted as unparsed.
    problems: tuple[str, ...] = ()
    # For croniter: seven fields, seconds first (see `read_cron`).
    engine: str = ""
    zone: str = "UTC"
    start: datetime | None = None
    end: datetime | None = None
    once_at: datetime | None = None

    def next_run(self, *, after: datetime) -> datetime | None:
        """The first run strictly after `after` (aware), in UTC; None if none."""
        if self.once_at is not None:
            return self.once_at if self.once_at > after else None
        if not self.engine:
            return None
        return next_cron_run(
            self.engine, self.zone, after=after, start=self.start, end=self.end
        )

    def runs(self, *, after: datetime) -> Iterator[datetime]:
        """Every run strictly after `after`, in order; the caller stops taking."""
        if self.once_at is not None:
            if self.once_at > after:
                yield self.once_at
            return
        if self.engine:
            yield from cron_runs(
                self.engine, self.zone, after=after, start=self.start, end=self.end
            )


def read_trigger(item: object) -> Trigger:
    """Read one item of a schedule's `triggers` list; never raises."""
    if not isinstance(item, dict):
        return _unknown(f"a trigger that is not an object ({type(item).__name__})")
    if isinstance(item.get("timeBased"), dict):
        return _read_time_based(item["timeBased"])
    if isinstance(item.get("fileWatcher"), dict):
        return _read_file_watcher(item["fileWatcher"])
    if isinstance(item.get("tableWatcher"), dict):
        return _read_table_watcher(item["tableWatcher"])
    keys = ", ".join(sorted(str(key) for key in item if key not in ("id",)))
    return _unknown(f"an unknown kind of trigger ({keys or 'empty'})")


def cron_trigger(cron: str, timezone: str) -> Trigger:
    """A time-based trigger from a schedule's stored `cron` and `timezone`
    columns (every kind but one-time is stored as cron), without its bounds
    and without words: what its runs need, read as `_read_time_based` does."""
    zone_name, _, _ = _read_zone(timezone)
    return Trigger(
        kind=TriggerKind.CRON,
        description="",
        cron=cron,
        timezone=timezone,
        engine=read_cron(cron).engine,
        zone=zone_name,
    )


def _unknown(problem: str) -> Trigger:
    return Trigger(
        kind=TriggerKind.UNKNOWN,
        description="Unknown trigger",
        problems=(f"AAC sent {problem}",),
    )


def _read_time_based(spec: dict) -> Trigger:
    zone_name, zone_notes, zone_problems = _read_zone(spec.get("timezone"))
    tz = zone(zone_name)
    kinds = [key for key in _TIME_READERS if key in spec]
    if len(kinds) != 1:
        found = ", ".join(kinds) or "none"
        return _unknown(f"a time-based trigger with kinds: {found}")
    key = kinds[0]
    rule = spec[key] if isinstance(spec[key], dict) else {}
    kind, cron, words, problems = _TIME_READERS[key](rule)
    if problems:
        return Trigger(
            kind=kind,
            description=words or f"{kind.label} trigger AAC sent in a form not read",
            cron=cron,
            timezone=str(spec.get("timezone") or ""),
            notes=zone_notes,
            problems=zone_problems + problems,
        )
    once_at = None
    engine = ""
    notes = zone_notes
    problems = zone_problems
    if kind == TriggerKind.ONE_TIME:
        once_at = parse_instant(rule.get("utcDateTime"))
        if once_at is None:
            problems += ("a one-time trigger without a readable utcDateTime",)
            words = "Once, at a time AAC sent in a form not read"
        else:
            words = f"Once, on {_format_instant(once_at, tz)}"
    else:
        reading = read_cron(cron)
        engine, notes = reading.engine, notes + reading.notes
        if reading.problem:
            problems += (reading.problem,)
        words = words or cron_words(reading)
    start = parse_instant(spec.get("utcStartDateTime"))
    end = parse_instant(spec.get("utcEndDateTime"))
    words += _bounds_words(start, end, tz)
    return Trigger(
        kind=kind,
        description=f"{words}, {zone_name}",
        cron=cron,
        timezone=str(spec.get("timezone") or ""),
        notes=notes,
        problems=problems,
        engine=engine,
        zone=zone_name,
        start=start,
        end=end,
        once_at=once_at,
    )


def _read_zone(value: object) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The IANA zone to compute in, with a note or problem when it is not usable."""
    if value in (None, ""):
        return "UTC", ("No timezone given; UTC assumed.",), ()
    if isinstance(value, str) and zone(value) is not None:
        return value, (), ()
    return "UTC", (), (f"an unknown timezone {str(value)[:64]!r}; UTC used",)


def _clock(spec: dict) -> tuple[int, int] | None:
    hour, minute = spec.get("hourOfDay"), spec.get("minuteOfHour")
    if _int_in(hour, 0, 23) and _int_in(minute, 0, 59):
        return hour, minute
    return None


def _int_in(value: object, low: int, high: int) -> bool:
    return type(value) is int and low <= value <= high


def _time_words(hour: int, minute: int) -> str:
    return f"{hour:02d}:{minute:02d}"


def _cron_trigger(spec: dict):
    expression = spec.get("expression")
    if not isinstance(expression, str) or not expression.strip():
        return TriggerKind.CRON, "", "", ("a cron trigger without an expression",)
    return TriggerKind.CRON, " ".join(expression.split()), "", ()


def _daily_trigger(spec: dict):
    clock = _clock(spec)
    if clock is None:
        return TriggerKind.DAILY, "", "", ("a daily trigger without a valid time",)
    hour, minute = clock
    if spec.get("onlyWorkingDays") is True:
        words = f"Every working day (Monday to Friday) at {_time_words(hour, minute)}"
        return TriggerKind.DAILY, f"{minute} {hour} * * 1-5", words, ()
    words = f"Every day at {_time_words(hour, minute)}"
    return TriggerKind.DAILY, f"{minute} {hour} * * *", words, ()


def _hourly_trigger(spec: dict):
    minute = spec.get("minuteOfHour")
    if not _int_in(minute, 0, 59):
        return TriggerKind.HOURLY, "", "", ("an hourly trigger without a valid minute",)
    return TriggerKind.HOURLY, f"{minute} * * * *", f"Every hour at :{minute:02d}", ()


def _weekly_trigger(spec: dict):
    clock = _clock(spec)
    days = spec.get("daysOfWeek")
    numbers = _day_numbers(days)
    if clock is None or not numbers:
        return TriggerKind.WEEKLY, "", "", ("a weekly trigger without valid days/time",)
    hour, minute = clock
    at = _time_words(hour, minute)
    if len(numbers) == 7:
        words = f"Every day at {at}"
    else:
        words = f"Every {_join([DAYS[n].title() for n in numbers])} at {at}"
    cron = f"{minute} {hour} * * {','.join(str(n) for n in numbers)}"
    return TriggerKind.WEEKLY, cron, words, ()


def _day_numbers(days: object) -> list[int]:
    """Sorted weekday numbers (0 = Sunday) of AAC day names; [] if any is unknown."""
    if not isinstance(days, list) or not days:
        return []
    numbers = set()
    for day in days:
        if not isinstance(day, str) or day.upper() not in DAYS:
            return []
        numbers.add(DAYS.index(day.upper()))
    return sorted(numbers)


def _monthly_trigger(spec: dict):
    clock = _clock(spec)
    days = spec.get("daysOfMonth")
    valid = isinstance(days, list) and days and all(_int_in(day, 1, 31) for day in days)
    if clock is None or not valid:
        return TriggerKind.MONTHLY, "", "", ("a monthly trigger without valid days",)
    hour, minute = clock
    days = sorted(set(days))
    words = (
        f"On the {_join([_ordinal(day) for day in days])} of every month "
        f"at {_time_words(hour, minute)}"
    )
    cron = f"{minute} {hour} {','.join(str(day) for day in days)} * *"
    return TriggerKind.MONTHLY, cron, words, ()


def _monthly_weekday_trigger(spec: dict):
    kind = TriggerKind.MONTHLY_WEEKDAY
    clock = _clock(spec)
    day = spec.get("dayOfWeek")
    nth = _nth(spec.get("nthWeekDayOfMonth"))
    if clock is None or not isinstance(day, str) or day.upper() not in DAYS or not nth:
        return kind, "", "", ("a monthly weekday trigger without valid day/time",)
    hour, minute = clock
    number = DAYS.index(day.upper())
    at = _time_words(hour, minute)
    if nth == "last":
        words = f"On the last {day.title()} of every month at {at}"
        return kind, f"{minute} {hour} * * {number}L", words, ()
    words = f"On the {NTH[nth]} {day.title()} of every month at {at}"
    return kind, f"{minute} {hour} * * {number}#{nth}", words, ()


def _nth(value: object) -> int | str | None:
    """1-5, or "last"; AAC's encoding of "last" is not published, so -1 or LAST."""
    if _int_in(value, 1, 5):
        return value
    text = str(value).upper() if isinstance(value, str | int) else ""
    if text in LAST:
        return "last"
    return NTH_NAMES.get(text)


def _one_time_trigger(spec: dict):
    return TriggerKind.ONE_TIME, "", "", ()


_TIME_READERS = {
    "cron": _cron_trigger,
    "daily": _daily_trigger,
    "hourly": _hourly_trigger,
    "weekly": _weekly_trigger,
    "monthly": _monthly_trigger,
    "monthlyWeekday": _monthly_weekday_trigger,
    "oneTime": _one_time_trigger,
}


def _bounds_words(start: datetime | None, end: datetime | None, tz) -> str:
    words = ""
    if start:
        words += f"{FROM}{_format_instant(start, tz)}"
    if end:
        words += f"{UNTIL}{_format_instant(end, tz)}"
    return words


def _format_instant(instant: datetime, tz) -> str:
    local = instant.astimezone(tz)
    return f"{local.day} {local:%b %Y} at {local:%H:%M}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10)
    return f"{n}{suffix or 'th'}"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


# Watchers have no clock, so no next run.


def _read_file_watcher(spec: dict) -> Trigger:
    words = f"Watches {_text(spec.get('path')) or 'an unnamed path'}"
    words += _watch_words(spec.get("storageType"), "", spec.get("eventType"), spec)
    return Trigger(kind=TriggerKind.FILE_WATCHER, description=words)


def _read_table_watcher(spec: dict) -> Trigger:
    table = _text(spec.get("tableName")) or "an unnamed table"
    if schema := _text(spec.get("schema")):
        table = f"{schema}.{table}"
    words = f"Watches table {table}"
    connection = _text(spec.get("connectionId"))
    words += _watch_words(
        spec.get("dataSourceType"),
        f"connection {connection}" if connection else "",
        spec.get("operationType"),
        spec,
    )
    return Trigger(kind=TriggerKind.TABLE_WATCHER, description=words)


def _watch_words(source: object, connection: str, event: object, spec: dict) -> str:
    """AAC's event names and interval unit are not published: shown as sent."""
    words = ""
    if where := ", ".join(filter(None, [_text(source), connection])):
        words += f" ({where})"
    if event := _text(event):
        words += f" for {event.replace('_', ' ').lower()}"
    if interval := _text(spec.get("interval")):
        words += f", interval {interval}"
    return words


def _text(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value)[:200]
