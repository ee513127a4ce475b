"""The upcoming load of a cron counted from its fields equals counting it run by run
(`schedules.load`), across daylight-saving changes and odd zones."""

from datetime import UTC, datetime

import pytest

from schedules.load import _slots_by_field, _slots_run_by_run
from schedules.triggers.cron import read_cron

CRONS = [
    "*/5 * * * *",
    "* * * * *",
    "30 2 * * *",
    "0,15,30,45 1-3 * * *",
    "30 2 * * 1-5",
    "0 9 1,15 * *",
    "0 9 1 * 1",
    "7 */2 * JAN,MAR,NOV *",
    "0 0 12 ? * MON-FRI",
    "0 0/30 * * * ?",
    "59 23 31 * *",
    "0 0 * * 7",
]
ZONES = [
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
]
# Weeks with a clock change in one zone or another, and a plain one.
DAYS = [
    datetime(2026, 3, 26, tzinfo=UTC),  # Paris springs forward on the 29th
    datetime(2026, 10, 29, tzinfo=UTC),  # New York falls back on 1 November
    datetime(2026, 4, 1, tzinfo=UTC),  # Lord Howe goes back half an hour
    datetime(2026, 1, 12, tzinfo=UTC),
]


@pytest.mark.parametrize("cron", CRONS)
@pytest.mark.parametrize("zone", ZONES)
def test_counting_by_field_equals_counting_run_by_run(cron, zone):
    engine = read_cron(cron).engine
    assert engine
    runs = 0
    for day in DAYS:
        by_field = _slots_by_field(engine, zone, day, 7)
        assert by_field is not None
        assert by_field == _slots_run_by_run(engine, zone, day, 7), day
        runs += sum(by_field)
    assert runs > 0


@pytest.mark.parametrize("cron", ["0 0 L * *", "0 0 * * 5#2", "0 0 15W * *"])
def test_what_the_fields_do_not_say_goes_run_by_run(cron):
    engine = read_cron(cron).engine

    assert _slots_by_field(engine, "Europe/Paris", DAYS[0], 7) is None
