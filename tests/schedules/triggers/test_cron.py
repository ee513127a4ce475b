"""Cron expressions: AAC's five or six fields, Quartz's, and what is shown as sent."""

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
