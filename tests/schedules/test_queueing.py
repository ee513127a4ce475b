"""Queueing syncs: one per workspace at a time, published after commit, refused
cleanly when one is under way or the broker is down."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from aacportal.celery import app
from schedules import tasks
from schedules.models import SyncRun
from schedules.queueing import (
    QueueError,
    queue_beat_syncs,
    queue_sync,
    queue_sync_all,
)
from tests.factories import add_member, make_run, make_user, make_workspace
from workspaces.models import Connection, Membership

Status = SyncRun.Status


@pytest.fixture
def published(monkeypatch):
    """Run ids handed to the broker (recorded here instead)."""
    sent = []

    def send_task(name, args, **options):
        assert name == tasks.sync_workspace.name
        sent.append(args[0])

    monkeypatch.setattr(app, "send_task", send_task)
    return sent


@pytest.mark.django_db
def test_it_queues_a_run_and_publishes_it_after_commit(
    published, django_capture_on_commit_callbacks
):
    workspace = make_workspace("Acme EU")

    with django_capture_on_commit_callbacks() as callbacks:
        run = queue_sync(workspace=workspace, trigger=SyncRun.Trigger.BUTTON)
        assert published == []

    assert (run.status, run.trigger) == (Status.QUEUED, "button")
    for callback in callbacks:
        callback()
    assert published == [run.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.QUEUED, Status.RUNNING])
def test_it_refuses_a_second_sync_while_one_is_under_way(published, status):
    workspace = make_workspace("Acme EU")
    make_run(workspace, status=status)

    with pytest.raises(QueueError) as refused:
        queue_sync(workspace=workspace, trigger=SyncRun.Trigger.BUTTON)

    assert refused.value.message == f"A sync of Acme EU is already {status}"
    assert not refused.value.unavailable
    assert SyncRun.objects.count() == 1


@pytest.mark.django_db
def test_a_stale_run_does_not_block_a_new_sync(published):
    workspace = make_workspace("Acme EU")
    make_run(
        workspace, status=Status.RUNNING, started_at=timezone.now() - timedelta(hours=1)
    )

    run = queue_sync(workspace=workspace, trigger=SyncRun.Trigger.BUTTON)

    assert run.status == Status.QUEUED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clicks_and_a_beat_tick_at_once_make_one_run(published):
    workspace = make_workspace("Acme EU")
    start = threading.Barrier(3)
    outcomes = []

    def press(queue):
        start.wait()
        try:
            outcomes.append(queue())
        except QueueError as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    click = lambda: queue_sync(workspace=workspace, trigger="button")  # noqa: E731
    threads = [
        threading.Thread(target=press, args=(click,)),
        threading.Thread(target=press, args=(click,)),
        threading.Thread(target=press, args=(queue_beat_syncs,)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    run = SyncRun.objects.get()
    assert published == [run.pk]
    refusals = [o for o in outcomes if isinstance(o, str)]
    beat_found_it_busy = [] in outcomes
    assert len(refusals) + beat_found_it_busy == 2
    assert set(refusals) <= {"A sync of Acme EU is already queued"}


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_it_says_so_and_leaves_no_run(broker_down):
    workspace = make_workspace("Acme EU")

    with pytest.raises(QueueError) as refused:
        queue_sync(workspace=workspace, trigger=SyncRun.Trigger.BUTTON)

    assert refused.value.message == "background queue unavailable"
    assert refused.value.unavailable
    assert not SyncRun.objects.exists()
    # Nothing half-written means nothing blocks the next attempt either.
    assert not SyncRun.objects.filter(status__in=[Status.QUEUED, Status.RUNNING])


@pytest.mark.django_db
def test_queue_all_queues_the_active_workspaces_a_user_operates(published):
    bob = make_user("bob")
    acme, globex = make_workspace("Acme EU"), make_workspace("Globex US")
    busy, idle = (
        make_workspace("Busy Corp"),
        make_workspace("Idle Ltd", is_active=False),
    )
    add_member(bob, acme, Membership.Role.OPERATOR)
    add_member(bob, globex, Membership.Role.VIEWER)
    add_member(bob, busy, Membership.Role.OPERATOR)
    add_member(bob, idle, Membership.Role.OPERATOR)
    make_run(busy, status=Status.RUNNING)

    runs = queue_sync_all(user=bob, trigger=SyncRun.Trigger.BUTTON)

    assert [run.workspace for run in runs] == [acme]


@pytest.mark.django_db
def test_the_beat_queues_every_active_workspace_without_a_sync_under_way(published):
    ok, busy = make_workspace("Acme EU"), make_workspace("Busy Corp")
    make_workspace("Idle Ltd", is_active=False)
    make_workspace("Locked Out", state=Connection.State.NEEDS_REAUTH)
    make_workspace("Unconnected", connection=False)
    waiting = make_workspace("Waiting Co")
    make_run(
        waiting,
        status=Status.FAILED,
        error_kind="rate_limited",
        retry_at=timezone.now() + timedelta(hours=2),
    )
    stale = make_workspace("Stale Inc")
    make_run(busy, status=Status.RUNNING, trigger="button")
    make_run(
        stale, status=Status.RUNNING, started_at=timezone.now() - timedelta(hours=1)
    )

    runs = queue_beat_syncs()

    assert [(run.workspace, run.trigger) for run in runs] == [
        (ok, "beat"),
        (stale, "beat"),
    ]
