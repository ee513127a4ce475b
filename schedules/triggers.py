"""Plain words and next run times for AAC schedule triggers.

AAC sends a trigger as `timeBased` (cron, daily, hourly, weekly, monthly,
monthlyWeekday, oneTime, with an IANA timezone), `fileWatcher` or
`tableWatcher`. Every time-based kind but oneTime is turned into one cron
expression, so one engine (croniter) computes every next run and one describer
(cron-descriptor) words cron triggers (the other kinds are worded here, as
"Every day at 02:30, Europe/Paris"). AAC's "modified cron" is
five fields plus an optional year, weekdays 0-6 from Sunday; Quartz-style
expressions (seconds first, `?`, weekdays 1-7 from Sunday) are read too, with a
note. What cannot be read is shown as sent, with a note, never an exception.

Next runs are computed on the wall clock of the trigger's timezone. Our rule
for daylight-saving edges, since AAC does not document its own: a wall time
skipped by the clock change does not fire that day, and a wall time that
happens twice fires once, at its first occurrence (so an hourly trigger skips
the repeated hour's second pass).
"""

import copy
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cron_descriptor import ExpressionDescriptor, Options
from cron_descriptor.ExpressionParser import ExpressionParser
from cron_descriptor.GetText import GetText
from croniter import CroniterBadDateError, CroniterError, croniter

from schedules.models import Schedule, TriggerKind

# Longer cron expressions (longer than their column) are stored and shown as
# sent, never evaluated: a legitimate AAC cron is far shorter.
MAX_CRON_LENGTH = Schedule._meta.get_field("cron").max_length
# Candidate wall times examined per next run: enough to cross a daylight-saving
# gap or overlap even for a Quartz cron firing every second.
MAX_STEPS = 10_000

DAYS = ("SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY")
NTH = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}
NTH_NAMES = {name.upper(): n for n, name in NTH.items()}
LAST = ("LAST", "-1")

_YEAR_FIELD = re.compile(r"^(\*|\d{4}(-\d{4})?(/\d+)?)(,\d{4}(-\d{4})?(/\d+)?)*$")
_DAY_NAME = {day[:3]: i for i, day in enumerate(DAYS)}


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


@dataclass(frozen=True)
class CronReading:
    """A cron expression as AAC sent it, read for croniter (and for words)."""

    text: str = ""
    # For croniter: seven fields, seconds first; "" when it cannot be read.
    engine: str = ""
    notes: tuple[str, ...] = ()
    problem: str = ""
    # What cron-descriptor is given, and whether weekdays count from 1.
    described: str = ""
    quartz: bool = False


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


def _unknown(problem: str) -> Trigger:
    return Trigger(
        kind=TriggerKind.UNKNOWN,
        description="Unknown trigger",
        problems=(f"AAC sent {problem}",),
    )


# ---------------------------------------------------------------------------
# Time-based triggers
# ---------------------------------------------------------------------------


def _read_time_based(spec: dict) -> Trigger:
    zone_name, zone_notes, zone_problems = _read_zone(spec.get("timezone"))
    zone = _zone(zone_name)
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
            words = f"Once, on {_format_instant(once_at, zone)}"
    else:
        reading = read_cron(cron)
        engine, notes = reading.engine, notes + reading.notes
        if reading.problem:
            problems += (reading.problem,)
        words = words or cron_words(reading)
    start = parse_instant(spec.get("utcStartDateTime"))
    end = parse_instant(spec.get("utcEndDateTime"))
    words += _bounds_words(start, end, zone)
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


@cache
def _zone(name: str) -> ZoneInfo:
    """zoneinfo keeps only 8 zones loaded; a workspace uses more, so keep them all."""
    return ZoneInfo(name)


def _read_zone(value: object) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The IANA zone to compute in, with a note or problem when it is not usable."""
    if value in (None, ""):
        return "UTC", ("No timezone given; UTC assumed.",), ()
    if isinstance(value, str) and len(value) <= 64:
        try:
            _zone(value)
        except (ZoneInfoNotFoundError, ValueError):
            pass
        else:
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


def _bounds_words(start: datetime | None, end: datetime | None, zone) -> str:
    words = ""
    if start:
        words += f", from {_format_instant(start, zone)}"
    if end:
        words += f", until {_format_instant(end, zone)}"
    return words


def _format_instant(instant: datetime, zone) -> str:
    local = instant.astimezone(zone)
    return f"{local.day} {local:%b %Y} at {local:%H:%M}"


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


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10)
    return f"{n}{suffix or 'th'}"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


# ---------------------------------------------------------------------------
# Watchers: no clock, so no next run
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Cron: AAC's modified cron and Quartz-style expressions
# ---------------------------------------------------------------------------


# Distinct expressions remembered: a workspace's crons repeat, and each one
# costs croniter and cron-descriptor a parse (bounded, so memory stays flat).
CACHE_SIZE = 4096


@lru_cache(maxsize=CACHE_SIZE)
def read_cron(expression: str) -> CronReading:
    """Read a cron expression for croniter; never raises.

    Five fields are AAC's documented form. Six are AAC's form plus a year when
    the sixth field is a year and that reading is valid, otherwise Quartz's
    seconds-first form. Seven are Quartz's seconds-first form with a year.
    Its words come from `cron_words`, only for the triggers that show them.
    """
    text = " ".join(expression.split())
    if not text:
        return CronReading(problem="an empty cron expression")
    if len(text) > MAX_CRON_LENGTH:
        return CronReading(
            text=text,
            problem=f"a cron expression of {len(text)} characters, too long to read",
        )
    fields = text.split(" ")
    readings = []
    if len(fields) == 5:
        readings.append(_aac_reading(text, fields, "*", ()))
    if len(fields) == 6 and _YEAR_FIELD.match(fields[5]):
        readings.append(_aac_reading(text, fields[:5], fields[5], (_SIX_FIELDS,)))
    if len(fields) in (6, 7):
        readings.append(_quartz_reading(text, fields))
    if not readings:
        return CronReading(
            text=text,
            problem=f"a cron expression with {len(fields)} fields (5 to 7 expected)",
        )
    for reading in readings:
        if not _compile(reading.engine)[1]:
            return reading
    first = readings[0]
    return replace(first, engine="", problem=f"cron {_compile(first.engine)[1]}")


_SIX_FIELDS = "Six fields, read as minute, hour, day, month, weekday and year."
_QUARTZ = "Quartz-style cron (seconds first, weekdays 1-7 from Sunday)."


def _aac_reading(text: str, fields: list[str], year: str, notes) -> CronReading:
    minute, hour, day, month, weekday = fields
    return CronReading(
        text=text,
        engine=f"0 {minute} {hour} {day} {month} {_engine_weekday(weekday)} {year}",
        notes=notes,
        described=" ".join(fields) if year == "*" else f"0 {' '.join(fields)} {year}",
    )


def _quartz_reading(text: str, fields: list[str]) -> CronReading:
    second, minute, hour, day, month, weekday = fields[:6]
    year = fields[6] if len(fields) == 7 else "*"
    weekday = _engine_weekday(_map_weekday_numbers(weekday, lambda n: n - 1))
    return CronReading(
        text=text,
        engine=f"{second} {minute} {hour} {day} {month} {weekday} {year}",
        notes=(_QUARTZ,),
        described=text,
        quartz=True,
    )


def _map_weekday_numbers(field: str, change) -> str:
    """Apply `change` to every weekday number of a weekday field (not to steps/nth)."""
    out = []
    for item in field.split(","):
        parts = re.split(r"([#/])", item, maxsplit=1)
        head, rest = parts[0], "".join(parts[1:])
        out.append(re.sub(r"\d+", lambda m: str(change(int(m.group()))), head) + rest)
    return ",".join(out)


def _engine_weekday(field: str) -> str:
    """croniter writes "last Friday" as L5 where cron writes 5L (or FRIL)."""
    out = []
    for item in field.split(","):
        match = re.fullmatch(r"(\d|[A-Za-z]{3})L", item)
        if match:
            day = match.group(1)
            number = day if day.isdigit() else _DAY_NAME.get(day.upper()[:3], day)
            item = f"L{number}"
        out.append(item)
    return ",".join(out)


@lru_cache(maxsize=CACHE_SIZE)
def _compile(engine: str) -> tuple[croniter | None, str]:
    """A croniter for the expression, to copy for each use, or its objection."""
    try:
        return croniter(engine, datetime(2000, 1, 1), second_at_beginning=True), ""
    except (CroniterError, ValueError, KeyError, IndexError) as exc:
        return None, f"not understood by the scheduler engine ({exc})"[:300]


def cron_words(reading: CronReading) -> str:
    """cron-descriptor's plain words for a cron expression, or the expression."""
    if len(reading.text) > MAX_CRON_LENGTH:
        return f"Cron expression of {len(reading.text)} characters, shown as sent"
    words = reading.described and _describe(reading.described, quartz=reading.quartz)
    return words or f"Cron {reading.text}"


class _Describer(ExpressionDescriptor):
    """cron-descriptor, minus reloading its translation file for every expression
    (two thirds of its time); the rest is its own constructor."""

    def __init__(self, expression: str, options: Options, get_text: GetText):
        self._expression = expression
        self._options = options
        self.get_text = get_text
        self._expression_parts = ExpressionParser(expression, options).parse()


@cache
def _describer_setup(quartz: bool) -> tuple[Options, GetText]:
    options = Options(
        locale_code="en_US",
        use_24hour_time_format=True,
        day_of_week_start_index_zero=not quartz,
    )
    return options, GetText(options.locale_code, options.locale_location)


@lru_cache(maxsize=CACHE_SIZE)
def _describe(expression: str, *, quartz: bool) -> str:
    try:
        return _Describer(expression, *_describer_setup(quartz)).get_description()
    except Exception:
        # cron-descriptor raises assorted errors on what it cannot word; the
        # expression is then shown as sent.
        return ""


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
    template, problem = _compile(engine)
    if problem:
        return None
    zone = _zone(zone_name)
    begin = after
    if start and start > after:
        begin = start - timedelta(microseconds=1)
    candidates = copy.copy(template)
    candidates.set_current(begin.astimezone(zone).replace(tzinfo=None))
    try:
        for _ in range(MAX_STEPS):
            wall = candidates.get_next(datetime)
            at = wall.replace(tzinfo=zone).astimezone(UTC)
            if at.astimezone(zone).replace(tzinfo=None) != wall:
                continue  # skipped by a daylight-saving change
            if at <= begin:
                continue  # the first occurrence of a repeated hour, already past
            return None if end and at > end else at
    except (CroniterBadDateError, CroniterError, OverflowError, ValueError):
        return None
    return None
