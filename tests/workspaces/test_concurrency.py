"""Eight callers, one workspace: one refresh (docs/reliability.md rule 4).

Threads, each with its own database connection, in a transactional test so
they see each other's commits. Under CI this runs on PostgreSQL.
"""

import threading

import pytest
from django.db import connection

from aacsim import Fault
from tests.workspaces.stored import expire_soon, tokens
from workspaces.models import Workspace
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


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_callers_cause_exactly_one_refresh(
    aac_sim, make_sim_workspace, sim_stats
):
    remote, workspace = make_sim_workspace("Contended")
    old_access = tokens(workspace.pk)[0]
    expire_soon(workspace.pk)
    # A slow token server widens the window in which the others pile up.
    aac_sim.sim.faults.add(
        Fault(kind="latency", seconds=0.3, workspace=remote.id, endpoint="token")
    )

    results = call_concurrently(
        lambda: fresh_access_token(Workspace.objects.get(pk=workspace.pk)), CALLERS
    )

    assert sim_stats.refreshes(remote) == 1
    assert sim_stats.requests(remote, "token") == 1
    new_access = tokens(workspace.pk)[0]
    assert new_access != old_access
    assert results == [new_access] * CALLERS
    stored = Workspace.objects.get(pk=workspace.pk)
    assert stored.state == Workspace.State.OK
    assert stored.refresh_lease_id is None
