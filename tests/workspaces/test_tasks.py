"""The token tasks: the beat's refreshes ahead of use, pressed tests and refreshes,
and no retries."""

import logging
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_workspace
from tests.workspaces.stored import expire_soon, reread, tokens
from workspaces.models import Connection, ConnectionTask
from workspaces.tasks import (
    refresh_connection_tokens,
    refresh_expiring_tokens,
    refresh_horizon,
    run_connection_task,
)

State = Connection.State


def with_tokens(name, *, expires_in, **fields):
    expires_at = None if expires_in is None else timezone.now() + expires_in
    return make_workspace(
        name,
        refresh_token_issued_at=timezone.now(),
        access_token_expires_at=expires_at,
        **fields,
    ).connections.get()


@pytest.fixture
def dispatched(monkeypatch):
    """The connection ids handed to the broker, after the transaction commits."""
    sent = []
    monkeypatch.setattr(
        refresh_connection_tokens,
        "apply_async",
        lambda args=(), kwargs=None, **options: sent.append((args, kwargs)),
    )
    return sent


@pytest.mark.django_db
def test_beat_queues_one_refresh_per_connection_about_to_expire(
    dispatched, django_capture_on_commit_callbacks
):
    soon = with_tokens("Soon", expires_in=timedelta(minutes=6))
    unknown = with_tokens("Opaque", expires_in=None)
    with_tokens("Fresh", expires_in=timedelta(hours=1))
    with_tokens("Locked", expires_in=timedelta(0), state=State.NEEDS_REAUTH)
    with_tokens("Inactive", expires_in=timedelta(0), is_active=False)
    make_workspace("Without tokens")

    with django_capture_on_commit_callbacks() as callbacks:
        refresh_expiring_tokens()
        assert dispatched == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    assert sorted(dispatched) == sorted([((soon.pk,), {}), ((unknown.pk,), {})])


def test_the_horizon_reaches_past_the_next_tick(settings):
    settings.AAC_TOKEN_REFRESH_INTERVAL_MINUTES = 5
    settings.AAC_ACCESS_TOKEN_MIN_VALIDITY = 120

    assert refresh_horizon() == 420


@pytest.mark.django_db
def test_the_task_refreshes_only_a_token_expiring_before_the_next_tick(
    make_sim_connection, sim_stats
):
    remote, connection = make_sim_connection("Ahead of time")

    refresh_connection_tokens(connection.pk)
    assert sim_stats.refreshes(remote) == 0

    expire_soon(connection.pk, seconds=refresh_horizon() - 60)
    refresh_connection_tokens(connection.pk)
    assert sim_stats.refreshes(remote) == 1


@pytest.mark.django_db
def test_the_task_logs_and_skips_a_deleted_connection(caplog):
    with caplog.at_level(logging.WARNING, logger="workspaces.tasks"):
        refresh_connection_tokens(424242)

    assert "Connection 424242 no longer exists" in caplog.text


@pytest.mark.django_db
def test_the_task_records_a_token_problem_instead_of_raising(
    aac_sim, make_sim_connection, sim_stats, caplog
):
    remote, connection = make_sim_connection("Spent elsewhere")
    aac_sim.sim.refresh(tokens(connection.pk)[1], client_id=remote.client_id)
    expire_soon(connection.pk)

    with caplog.at_level(logging.WARNING, logger="workspaces.tasks"):
        refresh_connection_tokens(connection.pk)

    assert reread(connection).state == State.NEEDS_REAUTH
    assert "tokens not refreshed" in caplog.text
    assert sim_stats.requests(remote, "token") == 1


@pytest.mark.django_db
def test_a_pressed_refresh_records_its_outcome_on_its_row(
    make_sim_connection, sim_stats
):
    remote, connection = make_sim_connection("Pressed")
    task = ConnectionTask.objects.create(connection=connection, action="refresh")

    run_connection_task(task.pk)

    task.refresh_from_db()
    assert (task.status, task.message) == ("succeeded", "Tokens refreshed.")
    assert task.started_at <= task.finished_at
    assert sim_stats.refreshes(remote) == 1


@pytest.mark.django_db
def test_a_pressed_test_records_what_aac_said(aac_sim, make_sim_connection):
    remote, connection = make_sim_connection("Tested")
    task = ConnectionTask.objects.create(connection=connection, action="test")

    run_connection_task(task.pk)

    task.refresh_from_db()
    assert task.status == "succeeded"
    assert f"Connected to AAC workspace 'Tested' (id {remote.id})" in task.message


@pytest.mark.django_db
def test_a_task_already_taken_or_gone_is_skipped(make_sim_connection, sim_stats):
    remote, connection = make_sim_connection("Taken")
    task = ConnectionTask.objects.create(
        connection=connection, action="refresh", status="running"
    )

    run_connection_task(task.pk)
    run_connection_task(424242)

    assert sim_stats.refreshes(remote) == 0
    assert ConnectionTask.objects.get(pk=task.pk).status == "running"


def test_the_token_tasks_are_never_retried_nor_redelivered():
    for task in (
        refresh_connection_tokens,
        refresh_expiring_tokens,
        run_connection_task,
    ):
        assert not task.acks_late
        assert not getattr(task, "autoretry_for", ())


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_refreshes_a_connection(
    celery_worker, make_sim_connection, sim_stats
):
    remote, connection = make_sim_connection("Refreshed by the worker")
    old_access = tokens(connection.pk)[0]
    task = ConnectionTask.objects.create(connection=connection, action="refresh")

    run_connection_task.delay(task.pk)

    deadline = time.monotonic() + 30
    while not ConnectionTask.objects.get(pk=task.pk).finished_at:
        assert time.monotonic() < deadline, "the worker did not finish the task"
        time.sleep(0.1)
    assert sim_stats.refreshes(remote) == 1
    assert tokens(connection.pk)[0] != old_access
    assert reread(connection).state == State.OK
    assert ConnectionTask.objects.get(pk=task.pk).status == "succeeded"
