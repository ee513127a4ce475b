"""Beat's resume round: what a dead worker left is queued again, nothing else."""

from datetime import timedelta

import pytest
from django.utils import timezone

from actions import runs, tasks
from actions.models import BulkChange, RunRequest
from tests.factories import make_workspace


@pytest.fixture
def queued(monkeypatch):
    sent = []
    for name in ("run_bulk_change", "start_run", "follow_run"):
        task = getattr(tasks, name)
        monkeypatch.setattr(
            task, "delay", lambda *args, name=name: sent.append((name, *args))
        )
    return sent


def run_request(workspace, key, **fields) -> RunRequest:
    return RunRequest.objects.create(
        workspace=workspace,
        execution_id=f"aacportal-{key}",
        asset_kind="plan",
        asset_aac_id=key,
        **fields,
    )


def test_it_resumes_what_went_quiet_and_leaves_what_is_alive(db, queued):
    workspace = make_workspace()
    long_ago = timezone.now() - timedelta(hours=1)
    dead = BulkChange.objects.create(
        action="disable", reason="r", chosen="c", status="running"
    )
    BulkChange.objects.filter(pk=dead.pk).update(heartbeat_at=long_ago)
    alive = BulkChange.objects.create(
        action="disable", reason="r", chosen="c", status="running"
    )
    BulkChange.objects.filter(pk=alive.pk).update(heartbeat_at=timezone.now())
    claimed = run_request(workspace, "1", status="starting", claimed_at=long_ago)
    followed = run_request(workspace, "2", status="running", checked_at=long_ago)
    run_request(workspace, "3", status="running", checked_at=timezone.now())
    run_request(workspace, "4", status="complete", checked_at=long_ago)

    tasks.resume_actions()

    assert sorted(queued) == [
        ("follow_run", followed.pk),
        ("run_bulk_change", dead.pk),
        ("start_run", claimed.pk),
    ]


def test_a_young_run_is_read_often_and_a_long_one_less_often(db):
    workspace = make_workspace()
    young = run_request(workspace, "5", status="running", started_at=timezone.now())
    old = run_request(
        workspace,
        "6",
        status="running",
        started_at=timezone.now() - timedelta(minutes=30),
    )
    assert (runs.next_look(young.pk), runs.next_look(old.pk)) == (2.0, 15.0)
