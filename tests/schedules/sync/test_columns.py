"""After each kind of sync, every stored column of every schedule is what parsing
AAC's item gives, not only its fingerprint: an upsert that forgot a column on
update, or wrote one from the wrong item, would leave a row whose fingerprint
is right and whose page is wrong.

The simulated workspaces here have no oddities (every schedule names its
creator as the people list does), so the owners' corrections from the people
list change nothing and the parse alone says what each row must hold.
"""

import pytest
import time_machine
from django.utils import timezone

from schedules.models import Schedule, SyncRun
from schedules.parse import parse_schedule
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
