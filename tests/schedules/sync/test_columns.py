"""After each kind of sync, every stored column of every schedule is what parsing
AAC's item gives, not only its fingerprint: an upsert that forgot a column on
update, or wrote one from the wrong item, would leave a row whose fingerprint
is right and whose page is wrong.

The simulated workspaces here have no oddities (every schedule names its
creator as the people list does), so the owners' corrections from the people
list change nothing and the parse alone says what each row must hold.
"""

import json
from datetime import UTC, datetime, timedelta
from datetime import timezone as fixed_zone

import pytest
import time_machine
from django.db import connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLite
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schedules.models import Schedule, SyncRun
from schedules.parse import parse_schedule
from schedules.sync import upsert as upsert_module
from schedules.sync.kinds import SCHEDULES
from schedules.sync.upsert import Upsert
from tests.factories import make_workspace
from tests.schedules.conftest import sync

pytestmark = pytest.mark.django_db

# Columns the sync writes from something other than the item.
NOT_FROM_THE_ITEM = {"id", "synced_at", "seen_by"}
COLUMNS = [
    field
    for field in Schedule._meta.concrete_fields
    if field.attname not in NOT_FROM_THE_ITEM
]


def expected(raw: dict, *, workspace, now) -> dict:
    """The row parsing `raw` makes: the model's defaults, then what it read."""
    parsed = parse_schedule(raw, now=now)
    row = {field.attname: field.get_default() for field in COLUMNS}
    row |= parsed.fields
    row |= {
        "workspace_id": workspace.pk,
        "aac_id": parsed.aac_id,
        "fingerprint": parsed.fingerprint,
        "raw": raw,
    }
    return row


def stored(workspace) -> dict[int, dict]:
    return {
        row.aac_id: {field.attname: getattr(row, field.attname) for field in COLUMNS}
        for row in Schedule.objects.filter(workspace=workspace)
    }


def synced_columns_match(aac_sim, remote, workspace) -> SyncRun:
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        run = sync(workspace)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error_message
    listed = aac_sim.sim.schedules(remote.id)
    want = {raw["id"]: expected(raw, workspace=workspace, now=now) for raw in listed}
    have = stored(workspace)
    assert have.keys() == want.keys()
    for aac_id, row in want.items():
        assert have[aac_id] == row, aac_id
    return run


@pytest.fixture
def plain_workspace(aac_sim, make_sim_workspace, monkeypatch):
    monkeypatch.setattr(aac_sim.sim, "oddities", False)
    remote, workspace = make_sim_workspace("Columns", schedules=40, people=20)
    return remote, workspace


def test_a_first_sync_stores_every_column_as_parsed(aac_sim, plain_workspace):
    remote, workspace = plain_workspace

    run = synced_columns_match(aac_sim, remote, workspace)

    assert run.counts_of("schedules").created == 40


def rewritten(schedule: dict, *, owner: dict) -> dict:
    """Every field of `schedule` but its id, changed as an editor in AAC could."""
    return {
        "name": f"{schedule['name']} (rewritten)",
        "enabled": not schedule["enabled"],
        "disableReason": "Paused by the editor" if schedule["enabled"] else None,
        "triggers": [
            {
                "id": 1,
                "timeBased": {
                    "timezone": "Pacific/Chatham",
                    "monthly": {"daysOfMonth": [3], "hourOfDay": 4, "minuteOfHour": 5},
                },
                "lastExecutionTime": "2026-01-03T04:05:00Z",
            },
            {
                "id": 2,
                "timeBased": {
                    "timezone": "UTC",
                    "daily": {"hourOfDay": 6, "minuteOfHour": 7},
                },
            },
        ],
        "tasks": [{"id": 1, "runReport": {"reportId": 4242, "name": "Edited report"}}],
        "createdAt": "2025-02-03T04:05:06Z",
        "createdBy": owner["id"],
        "creator": dict(owner),
    }


def test_a_changed_schedule_has_every_column_rewritten(aac_sim, plain_workspace):
    remote, workspace = plain_workspace
    synced_columns_match(aac_sim, remote, workspace)
    schedule = aac_sim.sim.schedules(remote.id)[0]
    people = aac_sim.sim.workspace(remote.id).people
    owner = next(p for p in people if p["isDisabled"])
    edit = rewritten(schedule, owner=owner)
    aac_sim.sim.edit_schedule(remote.id, schedule["id"], by=owner["id"], **edit)
    before = stored(workspace)[schedule["id"]]

    run = synced_columns_match(aac_sim, remote, workspace)

    after = stored(workspace)[schedule["id"]]
    changed = {name for name in after if after[name] != before[name]}
    # Each column the sync writes from the item changed, so none can be stale;
    # but `unparsed`, which only an item the parser misreads sets (an edit in
    # AAC's UI makes none; `synced_columns_match` still compares it).
    assert changed == {field.attname for field in COLUMNS} - {
        "workspace_id",
        "aac_id",
        "unparsed",
    }
    assert run.counts_of("schedules").updated == 1


def test_a_disabled_schedule_is_stored_disabled_with_its_reason(
    aac_sim, plain_workspace
):
    remote, workspace = plain_workspace
    synced_columns_match(aac_sim, remote, workspace)
    enabled = next(s for s in aac_sim.sim.schedules(remote.id) if s["enabled"])
    aac_sim.sim.edit_schedule(
        remote.id,
        enabled["id"],
        by=enabled["createdBy"],
        enabled=False,
        disableReason="Disabled by user",
    )

    synced_columns_match(aac_sim, remote, workspace)

    row = Schedule.objects.get(workspace=workspace, aac_id=enabled["id"])
    assert (row.enabled, row.disable_reason) == (False, "Disabled by user")


def test_a_schedule_given_to_another_owner_names_the_new_owner(
    aac_sim, plain_workspace
):
    remote, workspace = plain_workspace
    synced_columns_match(aac_sim, remote, workspace)
    schedule = aac_sim.sim.schedules(remote.id)[1]
    people = aac_sim.sim.workspace(remote.id).people
    heir = next(p for p in people if p["id"] != schedule["createdBy"])
    aac_sim.sim.edit_schedule(
        remote.id,
        schedule["id"],
        by=people[0]["id"],
        createdBy=heir["id"],
        creator=dict(heir),
    )

    synced_columns_match(aac_sim, remote, workspace)

    row = Schedule.objects.get(workspace=workspace, aac_id=schedule["id"])
    assert (row.owner_id, row.owner_name, row.owner_email) == (
        str(heir["id"]),
        heir["name"],
        heir["email"],
    )


def test_a_deleted_schedule_goes_and_every_other_row_stays_as_parsed(
    aac_sim, plain_workspace
):
    remote, workspace = plain_workspace
    synced_columns_match(aac_sim, remote, workspace)
    [gone] = aac_sim.sim.remove_schedules(remote.id, 1)

    run = synced_columns_match(aac_sim, remote, workspace)

    assert run.counts_of("schedules").deleted == 1
    assert not Schedule.objects.filter(workspace=workspace, aac_id=gone).exists()


@pytest.mark.postgres
def test_the_postgresql_upsert_carries_awkward_values_whole(db):
    """PostgreSQL's upsert sends a page as one JSON document the server unpacks
    (`Upsert.run`): quotes, backslashes, non-ASCII text, nulls and instants
    must come out of it as the parser made them."""
    workspace = make_workspace("Awkward")
    raw = {
        "id": 7,
        "name": 'Quote " backslash \\ and ünïcødé ✓',
        "enabled": False,
        "disableReason": None,
        "createdAt": "2026-01-02T03:04:05.678Z",
        "triggers": [
            {"id": 1, "timeBased": {"timezone": "Asia/Kolkata", "oneTime": {}}}
        ],
        "tasks": [{"id": 1, "runFlow": {"flowId": 1, "name": '{"json": true}'}}],
        "creator": {"id": 3, "name": "Zoë", "email": "zoe@example.com"},
    }
    now = timezone.now()
    upsert = Upsert.of(SCHEDULES)
    rows = upsert.rows(workspace, [parse_schedule(raw, now=now)], now)

    with CaptureQueriesContext(connection) as queries:
        upsert.run([upsert.seen_by(row, 1) for row in rows])

    assert "json_populate_recordset" in queries.captured_queries[0]["sql"]
    assert stored(workspace) == {7: expected(raw, workspace=workspace, now=now)}


def test_the_json_document_for_postgresql_holds_each_row_as_the_parser_made_it(db):
    """What `json_populate_recordset` unpacks, read back here on any database:
    every column by name, instants in ISO 8601, `raw` spliced in as JSON."""
    workspace = make_workspace("JSON rows")
    raws = [
        {"id": 8, "name": 'Say "hi" \\ ✓', "createdAt": "2026-01-02T03:04:05Z"},
        {"id": 9, "name": "No dates"},
    ]
    now = timezone.now()
    upsert = Upsert.of(SCHEDULES)
    parsed = [parse_schedule(raw, now=now) for raw in raws]
    rows = [upsert.seen_by(row, 3) for row in upsert.rows(workspace, parsed, now)]

    document = json.loads(upsert._json_rows(rows))

    assert [row["raw"] for row in document] == raws
    for row, item in zip(document, parsed, strict=True):
        assert row["aac_id"] == item.aac_id
        assert row["name"] == item.fields["name"]
        assert row["seen_by"] == 3
        assert row["synced_at"] == now.isoformat()
        assert row["fingerprint"] == item.fingerprint
        assert set(row) == {field.column for field in upsert.fields}
    assert document[0]["aac_created_at"] == "2026-01-02T03:04:05+00:00"
    assert document[1]["aac_created_at"] is None


def test_a_page_larger_than_one_statement_takes_is_written_whole(db, monkeypatch):
    """On SQLite a page goes in statements of as many rows as its parameters
    allow: here two."""
    workspace = make_workspace("Many statements")
    upsert = Upsert.of(SCHEDULES)
    parameters = 2 * len(upsert.columns) + 1
    monkeypatch.setattr(upsert_module, "_sqlite_parameters", lambda: parameters)
    raws = [{"id": n, "name": f"Schedule {n}"} for n in range(1, 6)]
    now = timezone.now()
    parsed = [parse_schedule(raw, now=now) for raw in raws]
    rows = [upsert.seen_by(row, 1) for row in upsert.rows(workspace, parsed, now)]

    with CaptureQueriesContext(connection) as queries:
        upsert.run(rows)

    assert stored(workspace) == {
        raw["id"]: expected(raw, workspace=workspace, now=now) for raw in raws
    }
    assert len(queries) == (3 if connection.vendor == "sqlite" else 1)


@pytest.mark.parametrize(
    "instant",
    [
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
        datetime(2026, 1, 2, 5, 4, 5, tzinfo=fixed_zone(timedelta(hours=2))),
        None,
    ],
)
def test_a_date_goes_to_sqlite_as_django_writes_it_from_any_zone(
    db, instant, monkeypatch
):
    # SQLite's adapter, on whichever database the suite runs.
    sqlite = SQLite.ops_class(connection)
    monkeypatch.setattr(connections["default"], "ops", sqlite)

    written = upsert_module._sqlite_datetime(instant)

    assert written == sqlite.adapt_datetimefield_value(instant)
