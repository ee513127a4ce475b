"""Eight callers, one connection: one refresh; two connections: no waiting
(docs/reliability.md rule 4).

The threaded tests give each thread its own database connection, in a
transactional test so they see each other's commits: PostgreSQL's
concurrency, which SQLite serialises away (hence the `postgres` marker; the
races that matter are forced in order, on any database, in
test_interleavings.py).
"""

import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from aacsim import Fault
from tests.schedules.conftest import active_person
from tests.workspaces.stored import expire_soon, reread, tokens
from workspaces.models import Connection
from workspaces.tokens.lease import fresh_access_token

CALLERS = 8


def call_concurrently(fn, n: int) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = fn()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_callers_cause_exactly_one_refresh(
    aac_sim, make_sim_connection, sim_stats
):
    remote, connection = make_sim_connection("Contended")
    old_access = tokens(connection.pk)[0]
    expire_soon(connection.pk)
    # A slow token server widens the window in which the others pile up.
    aac_sim.sim.faults.add(
        Fault(kind="latency", seconds=0.3, workspace=remote.id, endpoint="token")
    )

    results = call_concurrently(lambda: fresh_access_token(reread(connection)), CALLERS)

    assert sim_stats.refreshes(remote) == 1
    assert sim_stats.requests(remote, "token") == 1
    new_access = tokens(connection.pk)[0]
    assert new_access != old_access
    assert results == [new_access] * CALLERS
    stored = reread(connection)
    assert stored.state == Connection.State.OK
    assert stored.refresh_lease_id is None


def two_connections(make_sim_connection, connect_person):
    remote, first = make_sim_connection("Two people", people=5)
    second = connect_person(remote, first.workspace, active_person(remote))
    for each in (first, second):
        expire_soon(each.pk)
    return remote, first, second


@pytest.mark.django_db(transaction=True)
def test_a_held_lease_of_one_connection_never_delays_another(
    make_sim_connection, connect_person, sim_stats, settings
):
    settings.AAC_CONNECT_TIMEOUT = settings.AAC_READ_TIMEOUT = 2
    remote, first, second = two_connections(make_sim_connection, connect_person)
    # The first connection's refresh is in flight elsewhere, for minutes.
    Connection.objects.filter(pk=first.pk).update(
        refresh_lease_id=uuid.uuid4(),
        refresh_lease_expires_at=timezone.now() + timedelta(minutes=5),
    )

    started = time.monotonic()
    fresh_access_token(second)

    assert time.monotonic() - started < 1
    assert sim_stats.refreshes(remote) == 1
    assert reread(second).refresh_lease_id is None
    assert reread(first).refresh_lease_id is not None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_connections_of_one_workspace_refresh_side_by_side(
    aac_sim, make_sim_connection, connect_person, sim_stats
):
    remote, first, second = two_connections(make_sim_connection, connect_person)
    aac_sim.sim.faults.add(
        Fault(kind="latency", seconds=1, workspace=remote.id, endpoint="token")
    )
    connections = iter([first.pk, second.pk])
    lock = threading.Lock()

    def refresh_one():
        with lock:
            pk = next(connections)
        return fresh_access_token(Connection.objects.get(pk=pk))

    started = time.monotonic()
    results = call_concurrently(refresh_one, 2)
    took = time.monotonic() - started

    assert sim_stats.refreshes(remote) == 2
    assert sorted(results) == sorted(tokens(pk)[0] for pk in (first.pk, second.pk))
    # One after the other would take two seconds of token-server latency.
    assert took < 1.8
