from datetime import UTC, datetime, timedelta, timezone

import pytest

from aac import FINISHED_STATUSES, RunRecord
from aac.errors import NotFound, ProtocolError
from tests.aac.answers import add_page, items, v4_error
from tests.aac.conftest import API

SINCE = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
SINCE_MS = "1740823200000"
PLAN_RUN = {
    "id": 41,
    "status": "Failed",
    "createdAt": "2025-03-01T10:00:00.000Z",
    "startedAt": "2025-03-01T10:00:05.000Z",
    "finishedAt": "2025-03-01T10:07:00.000Z",
    "updatedAt": "2025-03-01T10:07:00.000Z",
    "plan": {"id": 3},
}


def test_it_lists_plan_runs_by_status_since_a_moment(client, rsps):
    params = {
        "limit": 2,
        "offset": 0,
        "status": "Failed",
        "dateFilter[createdAt][gte]": SINCE_MS,
    }
    add_page(rsps, "/v4/planSnapshotRuns", params=params, items=items(1, 1))

    pages = list(
        client.iter_plan_snapshot_run_pages(
            status="Failed", created_since=SINCE, page_size=2
        )
    )

    assert pages == [items(1, 1)]


def test_it_sends_a_moment_in_any_zone_as_epoch_ms(client, rsps):
    params = {"limit": 100, "offset": 0, "dateFilter[createdAt][gte]": SINCE_MS}
    add_page(rsps, "/v4/planSnapshotRuns", params=params, items=[])
    in_paris = SINCE.astimezone(timezone(timedelta(hours=1)))

    assert list(client.iter_plan_snapshot_run_pages(created_since=in_paris)) == [[]]


def test_it_refuses_a_naive_moment(client, rsps):
    with pytest.raises(ValueError, match="aware"):
        client.iter_plan_snapshot_run_pages(created_since=datetime(2025, 3, 1))

    assert len(rsps.calls) == 0


def test_it_reads_a_plan_run_with_its_times(client, rsps):
    rsps.get(
        f"{API}/v4/planSnapshotRuns/41",
        json=PLAN_RUN,
        headers={"x-trifacta-request-id": "rq-5"},
    )

    run = client.get_plan_snapshot_run(41)

    assert isinstance(run, RunRecord)
    assert (run.id, run.status, run.request_id) == (41, "Failed", "rq-5")
    assert run.created_at == SINCE
    assert run.started_at == SINCE + timedelta(seconds=5)
    assert run.finished_at == run.updated_at == SINCE + timedelta(minutes=7)
    assert run.finished
    assert run.raw["plan"] == {"id": 3}


@pytest.mark.parametrize(
    ("status", "finished"),
    [("Created", False), ("InProgress", False), ("Pending", False)]
    + [(status, True) for status in sorted(FINISHED_STATUSES)],
)
def test_a_run_is_finished_only_in_a_final_state(client, rsps, status, finished):
    rsps.get(f"{API}/v4/planSnapshotRuns/41", json={"id": 41, "status": status})

    run = client.get_plan_snapshot_run(41)

    assert run.status == status
    assert run.finished is finished
    assert run.started_at is None


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"id": 41}, "`status`"),
        ({"id": "41", "status": "Complete"}, "`id`"),
        ({**PLAN_RUN, "startedAt": "yesterday"}, "`startedAt`"),
        ({**PLAN_RUN, "createdAt": 1740823200000}, "`createdAt`"),
        ("Complete", "not a JSON object"),
    ],
)
def test_it_refuses_a_plan_run_it_cannot_follow(client, rsps, body, problem):
    rsps.get(f"{API}/v4/planSnapshotRuns/41", json=body)

    with pytest.raises(ProtocolError) as info:
        client.get_plan_snapshot_run(41)

    assert problem in str(info.value)


@pytest.mark.parametrize(
    "answer", [{"json": {}}, {"json": PLAN_RUN}, {"body": ""}, {"status": 204}]
)
def test_it_cancels_a_plan_run_whatever_aac_answers(client, rsps, answer):
    rsps.post(f"{API}/v4/planSnapshotRuns/41/cancel", **answer)

    assert client.cancel_plan_snapshot_run(41) is None
    assert len(rsps.calls) == 1


def test_cancelling_a_missing_plan_run_is_not_found(client, rsps):
    rsps.post(
        f"{API}/v4/planSnapshotRuns/41/cancel",
        status=404,
        json=v4_error("DataNotFoundException", "No run 41"),
    )

    with pytest.raises(NotFound):
        client.cancel_plan_snapshot_run(41)


def test_it_reads_a_flow_run_and_its_status(client, rsps):
    flow_run = {"id": 8, "createdAt": "2025-03-01T10:00:00Z", "flow": {"id": 4}}
    rsps.get(f"{API}/v4/flowRuns/8", json=flow_run)
    rsps.get(f"{API}/v4/flowRuns/8/status", json="InProgress")

    run = client.get_flow_run(8)

    assert (run.id, run.status, run.created_at) == (8, None, SINCE)
    assert not run.finished
    assert client.get_flow_run_status(8) == "InProgress"


def test_it_reads_a_job_group_and_its_bare_status(client, rsps):
    job_group = {"id": 80, "status": "Complete", "ranfrom": "schedule"}
    rsps.get(f"{API}/v4/jobGroups/80", json=job_group)
    rsps.get(f"{API}/v4/jobGroups/80/status", json="Complete")

    assert client.get_job_group(80).raw == job_group
    assert client.get_job_group_status(80) == "Complete"


@pytest.mark.parametrize("body", ['{"status": "Complete"}', '""', "3", "null"])
def test_it_refuses_a_status_that_is_not_a_bare_string(client, rsps, body):
    for url in (f"{API}/v4/jobGroups/80/status", f"{API}/v4/flowRuns/8/status"):
        rsps.get(url, body=body, content_type="application/json")

    with pytest.raises(ProtocolError, match="status string"):
        client.get_job_group_status(80)
    with pytest.raises(ProtocolError, match="status string"):
        client.get_flow_run_status(8)


def test_it_lists_the_job_library_with_every_filter(client, rsps):
    params = {
        "limit": 50,
        "offset": 0,
        "includeCount": "true",
        "status": "Failed",
        "ranfrom": "schedule",
        "ranfor": "recipe",
        "runBy": "12",
        "sort": "-createdAt",
        "dateFilter[createdAt][gte]": SINCE_MS,
    }
    add_page(rsps, "/v4/jobLibrary", params=params, items=items(1, 2), count=2)

    pages = list(
        client.iter_job_library_pages(
            status="Failed",
            ranfrom="schedule",
            ranfor="recipe",
            run_by=12,
            created_since=SINCE,
            sort="-createdAt",
            page_size=50,
            include_count=True,
        )
    )

    assert pages == [items(1, 2)]


def test_it_lists_the_job_library_without_filters(client, rsps):
    add_page(rsps, "/v4/jobLibrary", params={"limit": 100, "offset": 0}, items=[])

    assert list(client.iter_job_library_pages()) == [[]]
