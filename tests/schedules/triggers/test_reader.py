"""Plain words and next runs for every trigger kind, in several timezones.

Expected instants are worked out by hand from the calendars (2026: Europe
springs forward on 29 March and falls back on 25 October, the US falls back on
1 November, Sydney falls back on 5 April).
"""

import pytest

from schedules.models import TriggerKind
from schedules.triggers.reader import read_trigger
from tests.schedules.triggers.items import at, cron, timed

CASES = [
    # (trigger, after, kind, words, next run)
    (
        cron("30 2 * * *", "Europe/Paris"),
        "2026-03-20T12:00",
        TriggerKind.CRON,
        "At 02:30, Europe/Paris",
        "2026-03-21T01:30",
    ),
    (
        timed("daily", {"hourOfDay": 2, "minuteOfHour": 30}, "Europe/Paris"),
        "2026-06-01T00:00",
        TriggerKind.DAILY,
        "Every day at 02:30, Europe/Paris",
        "2026-06-01T00:30",
    ),
    (
        timed(
            "daily",
            {"hourOfDay": 8, "minuteOfHour": 0, "onlyWorkingDays": True},
            "America/New_York",
        ),
        "2026-03-27T13:00",  # Friday 09:00 in New York: next is Monday
        TriggerKind.DAILY,
        "Every working day (Monday to Friday) at 08:00, America/New_York",
        "2026-03-30T12:00",
    ),
    (
        timed("hourly", {"minuteOfHour": 15}, "Asia/Kolkata"),
        "2026-03-28T12:00",  # 17:30 in Kolkata
        TriggerKind.HOURLY,
        "Every hour at :15, Asia/Kolkata",
        "2026-03-28T12:45",
    ),
    (
        timed("hourly", {"minuteOfHour": 0}, "Asia/Kathmandu"),
        "2026-01-01T00:00",  # 05:45 in Kathmandu
        TriggerKind.HOURLY,
        "Every hour at :00, Asia/Kathmandu",
        "2026-01-01T00:15",
    ),
    (
        timed(
            "weekly",
            {"hourOfDay": 9, "minuteOfHour": 0, "daysOfWeek": ["WEDNESDAY", "MONDAY"]},
            "Europe/London",
        ),
        "2026-03-28T12:00",  # Saturday; London is on summer time from Sunday
        TriggerKind.WEEKLY,
        "Every Monday and Wednesday at 09:00, Europe/London",
        "2026-03-30T08:00",
    ),
    (
        timed(
            "monthly",
            {"hourOfDay": 6, "minuteOfHour": 0, "daysOfMonth": [15, 1, 31]},
            "UTC",
        ),
        "2026-04-16T00:00",  # April has no 31st
        TriggerKind.MONTHLY,
        "On the 1st, 15th and 31st of every month at 06:00, UTC",
        "2026-05-01T06:00",
    ),
    (
        timed(
            "monthlyWeekday",
            {
                "hourOfDay": 6,
                "minuteOfHour": 0,
                "dayOfWeek": "FRIDAY",
                "nthWeekDayOfMonth": 2,
            },
            "Asia/Tokyo",
        ),
        "2026-03-28T00:00",
        TriggerKind.MONTHLY_WEEKDAY,
        "On the second Friday of every month at 06:00, Asia/Tokyo",
        "2026-04-09T21:00",
    ),
    (
        timed(
            "monthlyWeekday",
            {
                "hourOfDay": 6,
                "minuteOfHour": 0,
                "dayOfWeek": "FRIDAY",
                "nthWeekDayOfMonth": "LAST",
            },
            "UTC",
        ),
        "2026-03-28T00:00",
        TriggerKind.MONTHLY_WEEKDAY,
        "On the last Friday of every month at 06:00, UTC",
        "2026-04-24T06:00",
    ),
    (
        timed("oneTime", {"utcDateTime": "2026-05-01T10:00:00.000Z"}, "Europe/Paris"),
        "2026-03-28T00:00",
        TriggerKind.ONE_TIME,
        "Once, on 1 May 2026 at 12:00, Europe/Paris",
        "2026-05-01T10:00",
    ),
    (
        timed("oneTime", {"utcDateTime": "2026-05-01T10:00:00.000Z"}, "Europe/Paris"),
        "2026-05-01T10:00",
        TriggerKind.ONE_TIME,
        "Once, on 1 May 2026 at 12:00, Europe/Paris",
        None,
    ),
    (
        cron("0 15 10 ? * 6L", "America/New_York"),  # Quartz: 6 is Friday
        "2026-03-28T00:00",
        TriggerKind.CRON,
        "At 10:15, on the last Friday of the month, America/New_York",
        "2026-04-24T14:15",
    ),
    (
        cron("0 30 9 ? * 2#1 *", "America/Sao_Paulo"),  # Quartz: 2 is Monday
        "2026-03-28T00:00",
        TriggerKind.CRON,
        "At 09:30, on the first Monday of the month, America/Sao_Paulo",
        "2026-04-06T12:30",
    ),
    (
        cron("30 0/15 * * * ?"),  # Quartz seconds
        "2026-03-28T12:00",
        TriggerKind.CRON,
        "At 30 seconds past the minute, every 15 minutes, UTC",
        "2026-03-28T12:00:30",
    ),
    (
        cron("30 23 1 2 * 2027", "Asia/Tokyo"),  # AAC's five fields and a year
        "2026-03-28T00:00",
        TriggerKind.CRON,
        "At 23:30, on day 1 of the month, only in February, only in 2027, Asia/Tokyo",
        "2027-02-01T14:30",
    ),
    (
        cron("0 12 * * 5L", "UTC"),  # AAC: 5 is Friday
        "2026-03-28T00:00",
        TriggerKind.CRON,
        "At 12:00, on the last Friday of the month, UTC",
        "2026-04-24T12:00",
    ),
    (
        cron("*/10 * * * *", None),
        "2026-03-28T12:01",
        TriggerKind.CRON,
        "Every 10 minutes, UTC",
        "2026-03-28T12:10",
    ),
]


@pytest.mark.parametrize(("item", "after", "kind", "words", "expected"), CASES)
def test_it_words_each_trigger_kind_and_finds_its_next_run(
    item, after, kind, words, expected
):
    trigger = read_trigger(item)

    assert trigger.kind == kind
    assert trigger.description == words
    assert trigger.problems == ()
    assert trigger.next_run(after=at(after)) == (expected and at(expected))


def test_it_stores_the_trigger_as_a_cron_expression_where_one_exists():
    weekly = read_trigger(
        timed(
            "weekly",
            {"hourOfDay": 9, "minuteOfHour": 5, "daysOfWeek": ["FRIDAY", "MONDAY"]},
        )
    )
    once = read_trigger(timed("oneTime", {"utcDateTime": "2026-05-01T10:00:00Z"}))

    assert weekly.cron == "5 9 * * 1,5"
    assert once.cron == ""


def test_it_computes_in_utc_and_says_so_when_the_timezone_is_unknown():
    trigger = read_trigger(cron("0 9 * * *", "Mars/Olympus_Mons"))
    missing = read_trigger(cron("0 9 * * *", None))

    assert trigger.description == "At 09:00, UTC"
    assert "unknown timezone 'Mars/Olympus_Mons'" in trigger.problems[0]
    assert trigger.next_run(after=at("2026-01-01T00:00")) == at("2026-01-01T09:00")
    assert missing.notes == ("No timezone given; UTC assumed.",)
    assert missing.problems == ()


def test_it_words_watchers_and_gives_them_no_next_run():
    files = read_trigger(
        {
            "id": 3,
            "fileWatcher": {
                "path": "/incoming/sales/*.csv",
                "interval": 300,
                "eventType": "fileCreated",
                "storageType": "s3",
            },
        }
    )
    table = read_trigger(
        {
            "id": 4,
            "tableWatcher": {
                "connectionId": 12,
                "dataSourceType": "snowflake",
                "tableName": "ORDERS",
                "operationType": "insert",
                "schema": "PUBLIC",
            },
        }
    )

    assert files.kind == TriggerKind.FILE_WATCHER
    assert files.description == (
        "Watches /incoming/sales/*.csv (s3) for filecreated, interval 300"
    )
    assert table.kind == TriggerKind.TABLE_WATCHER
    assert table.description == (
        "Watches table PUBLIC.ORDERS (snowflake, connection 12) for insert"
    )
    assert files.next_run(after=at("2026-01-01T00:00")) is None


ODD_TRIGGERS = [
    None,
    [],
    "daily",
    {},
    {"id": 1},
    {"eventBased": {"source": "webhook"}},
    {"timeBased": None},
    {"timeBased": {}},
    {"timeBased": {"cron": {}, "daily": {}}},
    {"timeBased": {"cron": {"expression": 5}}},
    {"timeBased": {"cron": {"expression": ""}}},
    {"timeBased": {"cron": {"expression": "@daily"}}},
    {"timeBased": {"cron": {"expression": "* * * * * * * *"}}},
    {"timeBased": {"cron": {"expression": "61 25 32 13 8"}}},
    {"timeBased": {"cron": {"expression": "\uff10 \uff19 * * *"}}},
    {"timeBased": {"cron": {"expression": "0 9 * * 1"}, "timezone": 42}},
    {"timeBased": {"cron": {"expression": "0 9 * * 1"}, "timezone": "x" * 500}},
    {"timeBased": {"daily": {"hourOfDay": "2", "minuteOfHour": 0}}},
    {"timeBased": {"daily": {"hourOfDay": True, "minuteOfHour": 0}}},
    {"timeBased": {"hourly": {"minuteOfHour": 60}}},
    {"timeBased": {"weekly": {"hourOfDay": 1, "minuteOfHour": 0, "daysOfWeek": []}}},
    {"timeBased": {"weekly": {"hourOfDay": 1, "minuteOfHour": 0, "daysOfWeek": "X"}}},
    {"timeBased": {"monthly": {"hourOfDay": 1, "minuteOfHour": 0, "daysOfMonth": [0]}}},
    {"timeBased": {"monthlyWeekday": {"dayOfWeek": "FUNDAY"}}},
    {"timeBased": {"oneTime": {"utcDateTime": "soon"}}},
    {"timeBased": {"oneTime": {}}, "utcStartDateTime": 12},
    {"fileWatcher": {"path": ["not", "text"], "interval": True}},
    {"tableWatcher": {}},
]


@pytest.mark.parametrize("item", ODD_TRIGGERS)
def test_it_never_raises_on_what_aac_might_send(item):
    trigger = read_trigger(item)

    assert trigger.description
    trigger.next_run(after=at("2026-01-01T00:00"))
