"""Pressing "Test connection" or "Refresh tokens": a task row queued, or why not."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_workspace
from workspaces.models import Connection, ConnectionTask
from workspaces.queueing import (
    NotQueued,
    QueueUnavailable,
    expire_stale_tasks,
    queue_connection_task,
)

State = Connection.State
Action = ConnectionTask.Action

pytestmark = pytest.mark.django_db


@pytest.fixture
def connection():
    return make_workspace("Acme EU").connections.get()


def test_it_queues_a_task_and_publishes_it_after_the_commit(
    connection, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as published:
        task = queue_connection_task(connection, Action.TEST)

    assert (task.status, task.action) == ("queued", "test")
    assert len(published) == 1


@pytest.mark.parametrize("action", [Action.TEST, Action.REFRESH])
def test_it_refuses_a_connection_needing_reauthorisation_with_the_reason(
    connection, action
):
    connection.set_state(State.NEEDS_REAUTH, "AAC refused the refresh token.")

    with pytest.raises(NotQueued) as caught:
        queue_connection_task(connection, action)

    assert "needs re-authorisation: AAC refused the refresh token." in str(caught.value)
    assert "queued" not in caught.value.message.removeprefix("Not queued")
    assert not ConnectionTask.objects.exists()


@pytest.mark.parametrize("status", ["queued", "running"])
def test_it_says_so_when_the_same_work_is_under_way(connection, status):
    ConnectionTask.objects.create(
        connection=connection,
        action=Action.REFRESH,
        status=status,
        started_at=timezone.now(),
    )

    with pytest.raises(NotQueued, match=f"token refresh of .* is already {status}"):
        queue_connection_task(connection, Action.REFRESH)
    assert queue_connection_task(connection, Action.TEST).action == "test"


def test_a_refresh_pressed_just_after_one_succeeded_is_not_repeated(connection):
    ConnectionTask.objects.create(
        connection=connection,
        action=Action.REFRESH,
        status="succeeded",
        finished_at=timezone.now() - timedelta(seconds=5),
    )

    with pytest.raises(NotQueued, match=r"were refreshed \d+ s ago"):
        queue_connection_task(connection, Action.REFRESH)


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_it_says_so_and_leaves_nothing(connection, broker_down):
    with pytest.raises(QueueUnavailable):
        queue_connection_task(connection, Action.REFRESH)

    assert not ConnectionTask.objects.exists()


def test_stale_tasks_are_expired_so_the_button_works_again(connection, settings):
    old = timezone.now() - timedelta(hours=1)
    lost = ConnectionTask.objects.create(connection=connection, action=Action.TEST)
    ConnectionTask.objects.filter(pk=lost.pk).update(queued_at=old)
    dead = ConnectionTask.objects.create(
        connection=connection, action=Action.REFRESH, status="running", started_at=old
    )

    assert expire_stale_tasks() == 2

    for task in (lost, dead):
        task.refresh_from_db()
        assert (task.status, task.message) == (
            "failed",
            "Expired: no worker finished it.",
        )
    assert queue_connection_task(connection, Action.REFRESH).status == "queued"
