"""Plans, flows, workflows and job-library items read strictly, never failing."""

from datetime import UTC, datetime

import pytest

from schedules.assets.parse import parse_flow, parse_plan, parse_run, parse_workflow

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
RUN = {
    "id": 1_000_001_082,
    "ranfor": "plan",
    "status": "Failed",
    "plan": {"id": 1_500_002, "name": "Customer 360 rebuild plan 2"},
    "ranfrom": "schedule",
    "scheduleId": 1_000_559,
    "creator": {"id": 146_308},
    "createdAt": "2026-03-02T10:00:00.000Z",
    "updatedAt": "2026-03-02T10:07:30.000Z",
    "startedAt": "2026-03-02T10:00:30.000Z",
    "finishedAt": "2026-03-02T10:07:30.000Z",
    "errorMessage": "Access denied to s3://bucket/in.csv",
    "planSnapshotRun": {"id": 1_500_001_082},
}


def test_a_plan_is_read_without_its_latest_run():
    raw = {
        "id": 1_500_001,
        "name": "Supplier onboarding feed plan 1",
        "description": "Nightly",
        "createdAt": "2025-01-01T00:00:00.000Z",
        "updatedAt": "2025-02-01T00:00:00.000Z",
        "creator": {"id": 146_320},
        "latestPlanSnapshotRun": RUN,
    }
    parsed = parse_plan(raw, now=NOW)
    changed_run = parse_plan({**raw, "latestPlanSnapshotRun": None}, now=NOW)

    assert parsed.aac_id == 1_500_001
    assert parsed.fields["name"] == "Supplier onboarding feed plan 1"
    assert parsed.fields["owner_aac_id"] == 146_320
    assert parsed.fields["aac_updated_at"] == datetime(2025, 2, 1, tzinfo=UTC)
    assert "latestPlanSnapshotRun" not in parsed.fields["raw"]
    assert parsed.fingerprint == changed_run.fingerprint
    assert parsed.problems == ()


def test_a_workflow_keeps_its_ulid_and_type():
    parsed = parse_workflow(
        {"id": "01HZX3Q4W5E6R7T8Y9U0I1O2P3", "name": "Clean", "type": "CLOUD"}, now=NOW
    )

    assert parsed.aac_id == "01HZX3Q4W5E6R7T8Y9U0I1O2P3"
    assert parsed.fields["workflow_type"] == "CLOUD"


@pytest.mark.parametrize(
    "raw", [None, [], {}, {"id": "x"}, {"id": -1}, {"id": True}, {"id": 2**63}]
)
def test_an_item_without_a_usable_id_is_refused(raw):
    assert parse_plan(raw, now=NOW) is None
    assert parse_flow(raw, now=NOW) is None
    assert parse_run(raw, now=NOW) is None


def test_an_asset_with_wrong_types_is_kept_with_a_note():
    parsed = parse_flow({"id": 7, "name": 12, "createdAt": "yesterday"}, now=NOW)

    assert parsed.fields["name"] == ""
    assert parsed.fields["aac_created_at"] is None
    assert "name is int, not text" in parsed.fields["note"]
    assert "createdAt is not a date" in parsed.fields["note"]
    assert len(parsed.problems) == 2


def test_a_run_is_read_with_what_it_ran_who_started_it_and_how_long_it_took():
    parsed = parse_run(RUN, now=NOW)

    assert parsed.aac_id == 1_000_001_082
    assert parsed.fields | {"raw": None} == {
        "run_aac_id": 1_500_001_082,
        "asset_kind": "plan",
        "asset_aac_id": "1500002",
        "asset_name": "Customer 360 rebuild plan 2",
        "schedule_aac_id": 1_000_559,
        "status": "Failed",
        "ranfrom": "schedule",
        "run_by_aac_id": 146_308,
        "aac_created_at": datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
        "aac_updated_at": datetime(2026, 3, 2, 10, 7, 30, tzinfo=UTC),
        "started_at": datetime(2026, 3, 2, 10, 0, 30, tzinfo=UTC),
        "finished_at": datetime(2026, 3, 2, 10, 7, 30, tzinfo=UTC),
        "duration_seconds": 420,
        "error_message": "Access denied to s3://bucket/in.csv",
        "note": "",
        "raw": None,
    }


def test_a_workflow_run_links_its_job_and_a_flow_run_its_flow_run():
    workflow = {**RUN, "ranfor": "workflow", "workflow": {"id": "01HZ", "name": "W"}}
    del workflow["plan"], workflow["planSnapshotRun"]
    workflow["jobId"] = 42
    flow = {
        **RUN,
        "ranfor": "flow",
        "flow": {"id": 9, "name": "F"},
        "flowRun": {"id": 7},
    }
    del flow["plan"], flow["planSnapshotRun"]

    assert parse_run(workflow, now=NOW).fields["run_aac_id"] == 42
    assert parse_run(workflow, now=NOW).fields["asset_aac_id"] == "01HZ"
    assert parse_run(flow, now=NOW).fields["run_aac_id"] == 7


def test_a_run_aac_describes_oddly_is_kept_with_a_note():
    odd = {
        "id": 5,
        "status": "Paused",
        "ranfrom": "cron",
        "ranfor": "report",
        "updatedAt": "2026-03-02T09:00:00Z",
        "startedAt": "2026-03-02T09:00:00Z",
        "finishedAt": "2026-03-02T08:00:00Z",
    }
    parsed = parse_run(odd, now=NOW)

    assert parsed.fields["status"] == "unknown"
    assert parsed.fields["ranfrom"] == ""
    assert parsed.fields["asset_kind"] == "other"
    assert parsed.fields["aac_created_at"] == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert parsed.fields["duration_seconds"] is None
    for words in (
        "'Paused'",
        "'cron'",
        "'report'",
        "no creation date",
        "finished before",
    ):
        assert words in parsed.fields["note"]


def test_a_run_without_any_date_is_placed_now():
    assert (
        parse_run({"id": 5, "status": "Created"}, now=NOW).fields["aac_created_at"]
        == NOW
    )
