"""The token refresh tasks: fan-out by beat, one refresh per workspace, no retries."""

import logging
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_workspace
from tests.workspaces.stored import expire_soon, tokens
from workspaces.models import Workspace
from workspaces.tasks import (
    refresh_expiring_tokens,
    refresh_horizon,
    refresh_workspace_tokens,
)

State = Workspace.State


def with_tokens(name, *, expires_in, **fields):
    expires_at = None if expires_in is None else timezone.now() + expires_in
    return make_workspace(
        name,
        refresh_token_issued_at=timezone.now(),
        access_token_expires_at=expires_at,
        **fields,
    )


@pytest.fixture
def dispatched(monkeypatch):
    """The workspace ids handed to the broker, after the transaction commits."""
    sent = []
    monkeypatch.setattr(
        refresh_workspace_tokens,
        "apply_async",
        lambda args=(), kwargs=None, **options: sent.append((args, kwargs)),
    )
    return sent


@pytest.mark.django_db
def test_beat_queues_one_refresh_per_workspace_about_to_expire(
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
    make_sim_workspace, sim_stats
):
    remote, workspace = make_sim_workspace("Ahead of time")

    refresh_workspace_tokens(workspace.pk)
    assert sim_stats.refreshes(remote) == 0

    expire_soon(workspace.pk, seconds=refresh_horizon() - 60)
    refresh_workspace_tokens(workspace.pk)
    assert sim_stats.refreshes(remote) == 1


@pytest.mark.django_db
def test_the_task_refreshes_now_when_forced(make_sim_workspace, sim_stats):
    remote, workspace = make_sim_workspace("Forced")

    refresh_workspace_tokens(workspace.pk, force=True)

    assert sim_stats.refreshes(remote) == 1


@pytest.mark.django_db
def test_the_task_logs_and_skips_a_deleted_workspace(caplog):
    with caplog.at_level(logging.WARNING, logger="workspaces.tasks"):
        refresh_workspace_tokens(424242)

    assert "Workspace 424242 no longer exists" in caplog.text


@pytest.mark.django_db
def test_the_task_records_a_token_problem_instead_of_raising(
    aac_sim, make_sim_workspace, sim_stats, caplog
):
    remote, workspace = make_sim_workspace("Spent elsewhere")
    aac_sim.sim.refresh(tokens(workspace.pk)[1], client_id=remote.client_id)

    with caplog.at_level(logging.WARNING, logger="workspaces.tasks"):
        refresh_workspace_tokens(workspace.pk, force=True)

    assert Workspace.objects.get(pk=workspace.pk).state == State.NEEDS_REAUTH
    assert "tokens not refreshed" in caplog.text
    assert sim_stats.requests(remote, "token") == 1


def test_the_refresh_task_is_never_retried_nor_redelivered():
    for task in (refresh_workspace_tokens, refresh_expiring_tokens):
        assert not task.acks_late
        assert not getattr(task, "autoretry_for", ())


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_refreshes_a_workspace(
    celery_worker, make_sim_workspace, sim_stats
):
    remote, workspace = make_sim_workspace("Refreshed by the worker")
    old_access = tokens(workspace.pk)[0]

    refresh_workspace_tokens.delay(workspace.pk, force=True)

    deadline = time.monotonic() + 30
    while sim_stats.refreshes(remote) == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sim_stats.refreshes(remote) == 1
    deadline = time.monotonic() + 10
    while tokens(workspace.pk)[0] == old_access and time.monotonic() < deadline:
        time.sleep(0.1)
    assert tokens(workspace.pk)[0] != old_access
    assert Workspace.objects.get(pk=workspace.pk).state == State.OK
