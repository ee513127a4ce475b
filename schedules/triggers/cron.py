"""Cron expressions as AAC sends them, read for the scheduler engine and worded.

AAC's "modified cron" is five fields plus an optional year, weekdays 0-6 from
Sunday; Quartz-style expressions (seconds first, `?`, weekdays 1-7 from
Sunday) are read too, with a note. The words come from cron-descriptor.
"""

import re
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from cron_descriptor import ExpressionDescriptor, Options
from cron_descriptor.ExpressionParser import ExpressionParser
from cron_descriptor.GetText import GetText

from schedules.models import Schedule
from schedules.triggers.clock import CACHE_SIZE, compile_cron

# Longer cron expressions (longer than their column) are stored and shown as
# sent, never evaluated: a legitimate AAC cron is far shorter.
MAX_CRON_LENGTH = Schedule._meta.get_field("cron").max_length

DAYS = ("SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY")

_YEAR_FIELD = re.compile(r"^(\*|\d{4}(-\d{4})?(/\d+)?)(,\d{4}(-\d{4})?(/\d+)?)*$")
_DAY_NAME = {day[:3]: i for i, day in enumerate(DAYS)}


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
        if not compile_cron(reading.engine)[1]:
            return reading
    first = readings[0]
    return replace(first, engine="", problem=f"cron {compile_cron(first.engine)[1]}")


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
    weekday = _quartz_weekday(weekday)
    return CronReading(
        text=text,
        engine=f"{second} {minute} {hour} {day} {month} {weekday} {year}",
        notes=(_QUARTZ,),
        described=text,
        quartz=True,
    )


@lru_cache(maxsize=CACHE_SIZE)
def _quartz_weekday(field: str) -> str:
    """A Quartz weekday field (1-7 from Sunday) for croniter."""
    return _engine_weekday(_map_weekday_numbers(field, lambda n: n - 1))


def _map_weekday_numbers(field: str, change) -> str:
    """Apply `change` to every weekday number of a weekday field (not to steps/nth)."""
    out = []
    for item in field.split(","):
        parts = re.split(r"([#/])", item, maxsplit=1)
        head, rest = parts[0], "".join(parts[1:])
        out.append(re.sub(r"\d+", lambda m: str(change(int(m.group()))), head) + rest)
    return ",".join(out)


@lru_cache(maxsize=CACHE_SIZE)
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


def cron_words(reading: CronReading) -> str:
    """cron-descriptor's plain words for a cron expression, or the expression."""
    if len(reading.text) > MAX_CRON_LENGTH:
        return f"Cron expression of {len(reading.text)} characters, shown as sent"
    words = reading.described and _describe(reading.described, quartz=reading.quartz)
    return words or f"Cron {reading.text}"


class _Describer(ExpressionDescriptor):
    """cron-descriptor, minus reloading its translation file for every expression
    (two thirds of its time), and with the words of each part of an
    expression remembered by the fields that part reads: the many crons that
    differ only in their minute and hour share the words of their days, and
    the other way round."""

    def __init__(self, expression: str, options: Options, get_text: GetText):
        self._expression = expression
        self._options = options
        self.get_text = get_text
        self._expression_parts = ExpressionParser(expression, options).parse()

    def get_time_of_day_description(self) -> str:
        return self._part(super().get_time_of_day_description, 0, 1, 2)

    def get_day_of_month_description(self) -> str:
        return self._part(super().get_day_of_month_description, 3, 5)

    def get_day_of_week_description(self) -> str:
        return self._part(super().get_day_of_week_description, 5, 3)

    def get_month_description(self) -> str:
        return self._part(super().get_month_description, 4)

    def get_year_description(self) -> str:
        return self._part(super().get_year_description, 6)

    def _part(self, words, *fields: int) -> str:
        """The words of one part, by the parsed fields it reads (and whether
        weekdays count from 0, the one option that differs)."""
        key = (
            words.__name__,
            self._options.day_of_week_start_index_zero,
            *(self._expression_parts[i] for i in fields),
        )
        if key not in _PARTS:
            if len(_PARTS) >= CACHE_SIZE:
                _PARTS.cache_clear()  # bounded: memory stays flat
            _PARTS[key] = words()
        return _PARTS[key]


class _Parts(dict):
    """The words of expressions' parts, cleared as functools' caches are."""

    def cache_clear(self) -> None:
        self.clear()


_PARTS = _Parts()


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
