"""A workspace's health: never green while its syncs retry or fail."""

from datetime import UTC, datetime, timedelta

import pytest

from schedules.health import (
    SyncFacts,
    Tone,
    health,
    next_automatic_sync,
    sync_facts,
    with_sync_runs,
)
from schedules.models import SyncRun
from tests.factories import make_run
from workspaces.models import Connection, Workspace
from workspaces.standing import standing

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
AGO = NOW - timedelta(minutes=5)

pytestmark = pytest.mark.django_db


def run(status, **fields) -> SyncRun:
    fields.setdefault("queued_at", AGO)
    if status in SyncRun.FINISHED_STATES:
        fields.setdefault("finished_at", AGO)
    return SyncRun(status=status, trigger="beat", **fields)


def health_of(workspace, **facts):
    return health(standing(workspace.connections.all()), SyncFacts(**facts), now=NOW)


def test_it_is_green_when_the_last_sync_succeeded_through_every_connection(world):
    ok = run("succeeded")
    state = health_of(world.acme, latest=ok, last_finished=ok, last_success=ok)
    assert (state.state, state.label, state.tone) == ("ok", "OK", Tone.OK)
    assert state.green


def test_it_is_never_green_while_a_sync_waits_to_retry(world):
    ok = run("succeeded", finished_at=NOW - timedelta(hours=1))
    retry = run(
        "queued", retry_at=NOW + timedelta(minutes=1), error_message="AAC answered 503"
    )
    state = health_of(world.acme, latest=retry, last_finished=ok, last_success=ok)
    assert (state.label, state.tone) == ("Retrying", Tone.WARN)
    assert state.reason == "AAC answered 503"
    assert state.since == ok.finished_at


def test_it_is_red_when_the_last_sync_failed_even_while_the_next_runs(world):
    ok = run("succeeded", finished_at=NOW - timedelta(days=2))
    failed = run("failed", error_message="AAC answered 500 on page 2")
    running = run("running")
    state = health_of(world.acme, latest=running, last_finished=failed, last_success=ok)
    assert (state.label, state.tone) == ("Sync failing", Tone.BAD)
    assert state.reason == "AAC answered 500 on page 2"
    assert state.since == ok.finished_at


def test_it_is_red_when_no_sync_ever_succeeded_and_the_last_failed(world):
    failed = run("failed", error_kind="protocol")
    state = health_of(world.acme, latest=failed, last_finished=failed)
    assert (state.state, state.tone, state.reason) == ("failing", Tone.BAD, "protocol")
    assert state.since is None


def test_it_warns_when_a_connection_failed_in_a_sync_that_succeeded(world):
    ok = run("succeeded", error_message="Bob: AAC answered 401")
    state = health_of(world.acme, latest=ok, last_finished=ok, last_success=ok)
    assert (state.label, state.tone) == ("Partly working", Tone.WARN)


def test_it_warns_when_the_data_is_older_than_two_sync_intervals(world, settings):
    settings.AAC_SYNC_INTERVAL_MINUTES = 15
    old = run("succeeded", finished_at=NOW - timedelta(minutes=31))
    state = health_of(world.acme, latest=old, last_finished=old, last_success=old)
    assert (state.label, state.tone) == ("Data stale", Tone.WARN)


def test_the_connections_speak_first(world):
    world.acme.connections.update(
        state=Connection.State.NEEDS_REAUTH, state_reason="invalid_grant"
    )
    ok = run("succeeded")
    state = health_of(world.acme, latest=ok, last_finished=ok, last_success=ok)
    assert (state.label, state.tone) == ("Needs re-authorisation", Tone.BAD)


@pytest.mark.parametrize(
    "status", [s for s in SyncRun.Status if s != SyncRun.Status.SUCCEEDED]
)
def test_it_is_never_green_after_a_sync_that_did_not_succeed(world, status):
    ok = run("succeeded", finished_at=NOW - timedelta(hours=1))
    latest = run(status, retry_at=NOW + timedelta(minutes=1), error_message="x")
    finished = latest if status in SyncRun.FINISHED_STATES else ok
    state = health_of(
        world.acme, latest=latest, last_finished=finished, last_success=ok
    )
    assert not state.green


def test_the_next_automatic_sync_is_an_interval_after_beats_last(world, settings):
    settings.AAC_SYNC_INTERVAL_MINUTES = 15
    beat = run("succeeded", queued_at=NOW - timedelta(minutes=10))
    facts = SyncFacts(latest=beat, last_finished=beat, last_beat=beat)
    assert next_automatic_sync(world.acme, facts, now=NOW) == NOW + timedelta(minutes=5)
    retry = run("queued", retry_at=NOW + timedelta(minutes=2))
    facts = SyncFacts(latest=retry, last_beat=beat)
    assert next_automatic_sync(world.acme, facts, now=NOW) == NOW + timedelta(minutes=2)
    world.acme.is_active = False
    assert next_automatic_sync(world.acme, facts, now=NOW) is None


def test_it_loads_the_facts_of_any_number_of_workspaces_in_one_query(
    world, django_assert_num_queries
):
    make_run(world.acme, status="succeeded", trigger="beat")
    failed = make_run(world.acme, status="failed", trigger="button")
    make_run(world.globex, status="queued", retry_at=NOW)
    workspaces = list(with_sync_runs(Workspace.objects.order_by("name")))
    with django_assert_num_queries(1):
        facts = sync_facts(workspaces)
    acme = facts[world.acme.pk]
    assert acme.latest == acme.last_finished == failed
    assert acme.last_success.status == acme.last_beat.status == "succeeded"
    globex = facts[world.globex.pk]
    assert globex.latest.status == "queued"
    assert globex.last_finished is None
