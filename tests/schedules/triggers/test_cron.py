"""Cron expressions: AAC's five or six fields, Quartz's, and what is shown as sent."""

import random

from cron_descriptor import ExpressionDescriptor, Options

from schedules.models import TriggerKind
from schedules.triggers.cron import cron_words, read_cron
from schedules.triggers.reader import read_trigger
from tests.schedules.triggers.items import at, cron


def test_it_reads_six_fields_as_aac_with_a_year_unless_only_quartz_makes_sense():
    aac = read_cron("0 0 * * * *")
    quartz = read_cron("0 30 2 * * *")  # hour 30 is no hour: seconds come first

    assert cron_words(aac) == "At 00:00"
    assert "year" in aac.notes[0]
    assert cron_words(quartz) == "At 02:30"
    assert "Quartz" in quartz.notes[0]


def test_it_shows_a_cron_the_engine_cannot_evaluate_as_sent_with_a_note():
    trigger = read_trigger(cron("0 6 LW * *"))

    assert trigger.kind == TriggerKind.CRON
    assert trigger.description == "At 06:00, on the last weekday of the month, UTC"
    assert trigger.cron == "0 6 LW * *"
    assert trigger.next_run(after=at("2026-01-01T00:00")) is None
    assert "not understood by the scheduler engine" in trigger.problems[0]


def test_it_refuses_to_evaluate_a_huge_cron_but_keeps_it():
    every = [",".join(map(str, range(60))), ",".join(map(str, range(24)))]
    expression = " ".join([*every, ",".join(map(str, range(1, 32))), "*", "*"])
    trigger = read_trigger(cron(expression))

    assert trigger.kind == TriggerKind.CRON
    assert trigger.cron == expression
    assert "too long" in trigger.problems[0]
    assert trigger.next_run(after=at("2026-01-01T00:00")) is None


def generated_crons(count: int, seed: int) -> list[str]:
    """AAC's five fields and Quartz's seconds-first form, as they vary."""
    rng = random.Random(seed)
    minutes = ["0", "5", "30", "59", "*", "*/5", "0/15", "10-20", "0,30"]
    hours = ["0", "2", "12", "23", "*", "*/2", "9-17", "6,18", "1-5/2"]
    days = ["*", "1", "15", "L", "1,15", "*/10", "10-20"]
    months = ["*", "*", "1", "JAN-MAR", "*/3", "6,12"]
    weekdays = ["*", "1-5", "MON-FRI", "0", "6L", "2#1", "SUN,SAT", "3"]
    expressions = []
    for _ in range(count):
        minute, hour = rng.choice(minutes), rng.choice(hours)
        day, month, weekday = rng.choice(days), rng.choice(months), rng.choice(weekdays)
        if rng.random() < 0.3:  # Quartz: one of the day fields is "?"
            day, weekday = (day, "?") if rng.random() < 0.5 else ("?", weekday)
            expressions.append(f"0 {minute} {hour} {day} {month} {weekday}")
        else:
            expressions.append(f"{minute} {hour} {day} {month} {weekday}")
    return expressions


def test_every_cron_is_worded_as_cron_descriptor_words_it_alone():
    """The words of an expression's parts are remembered by the fields each
    part reads, and shared between expressions: each is still worded as
    cron-descriptor, given that expression alone, words it."""
    for expression in generated_crons(300, seed=14):
        reading = read_cron(expression)
        options = Options(
            locale_code="en_US",
            use_24hour_time_format=True,
            day_of_week_start_index_zero=not reading.quartz,
        )
        try:
            own = ExpressionDescriptor(reading.described, options).get_description()
        except Exception:
            own = ""

        assert cron_words(reading) == (own or f"Cron {reading.text}"), expression
