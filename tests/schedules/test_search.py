"""Search by substring through an index on either database (`schedules.search`)."""

import pytest
from django.db import connection
from django.utils import timezone

from schedules.models import Schedule
from schedules.parse import parse_schedule
from schedules.search import search
from schedules.sync.kinds import SCHEDULES
from schedules.sync.upsert import Upsert
from tests.factories import make_schedule, make_schedules, make_workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace():
    return make_workspace("Search")


def names(queryset) -> list[str]:
    return sorted(queryset.values_list("name", flat=True))


def test_it_finds_a_substring_of_any_searched_column_ignoring_case(workspace):
    make_schedule(workspace, name="Nightly SALES refresh")
    make_schedule(workspace, name="Stock", target_name="Quarterly sales plan")
    make_schedule(workspace, name="Owners", owner_name="Sally Salesperson")
    make_schedule(workspace, name="Mail", owner_email="ops@sales.example.com")
    make_schedule(workspace, name="Other", target_name="Inventory")
    schedules = Schedule.objects.all()

    assert names(search(schedules, "sales")) == [
        "Mail",
        "Nightly SALES refresh",
        "Owners",
        "Stock",
    ]
    assert names(search(schedules, "ventor")) == ["Other"]
    assert names(search(schedules, "nothing like it")) == []


def test_a_search_shorter_than_a_trigram_still_finds_substrings(workspace):
    make_schedule(workspace, name="ab test")
    make_schedule(workspace, name="other")

    assert names(search(Schedule.objects.all(), "AB")) == ["ab test"]


def test_quotes_and_operators_in_a_search_are_only_text(workspace):
    make_schedule(workspace, name='Say "hi" OR NOT*')
    make_schedule(workspace, name="hi")

    found = search(Schedule.objects.all(), '"hi" OR NOT*')

    assert names(found) == ['Say "hi" OR NOT*']


def test_the_index_follows_updates_and_deletions(workspace):
    renamed = make_schedule(workspace, name="Before rename")
    gone = make_schedule(workspace, name="Before delete")

    Schedule.objects.filter(pk=renamed.pk).update(name="After rename")
    gone.delete()

    schedules = Schedule.objects.all()
    assert names(search(schedules, "before")) == []
    assert names(search(schedules, "after")) == ["After rename"]


def test_the_index_follows_the_syncs_upsert(workspace):
    make_schedule(workspace, aac_id=7, name="Old name")
    now = timezone.now()
    upsert = Upsert.of(SCHEDULES)
    items = [{"id": 7, "name": "New name"}, {"id": 8, "name": "Added one"}]
    rows = upsert.rows(workspace, [parse_schedule(i, now=now) for i in items], now)

    upsert.run([upsert.seen_by(row, 1) for row in rows])

    schedules = Schedule.objects.all()
    assert names(search(schedules, "old na")) == []
    assert names(search(schedules, "new na")) == ["New name"]
    assert names(search(schedules, "added")) == ["Added one"]


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test table is small: reading it all would be cheaper, by
            # the table or by another index; forbid both, so the plan shows
            # whether the trigram index can answer at all.
            cursor.execute("ANALYZE schedules_schedule")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_a_search_is_answered_from_the_databases_trigram_index(workspace):
    """On each database the suite runs on (SQLite by default, PostgreSQL under
    CI), the substring search reads its index, never the whole table."""
    make_schedules(workspace, 200)

    shown = plan(search(Schedule.objects.all(), "schedule 0012"))

    if connection.vendor == "postgresql":
        assert "schedule_search_trgm" in shown
        assert "Seq Scan" not in shown
    else:
        # The MATCH goes to the FTS index ("M"); the rows are then found by id.
        assert "SCAN schedule_search VIRTUAL TABLE INDEX 0:M" in shown
        assert "SEARCH schedules_schedule USING INTEGER PRIMARY KEY" in shown
        assert "SCAN schedules_schedule" not in shown
