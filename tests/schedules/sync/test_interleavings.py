"""A sync run delivered twice, the deliveries interleaved in order rather than by
thread timing (docs/reliability.md rule 9): one takes the run over, the other
does nothing, every time the guard is in place."""

from datetime import timedelta

import pytest
from django.utils import timezone

from schedules.models import SyncRun
from schedules.sync.runs import claim
from tests.factories import make_run, make_workspace

pytestmark = pytest.mark.django_db

Status = SyncRun.Status


def test_two_deliveries_of_a_running_run_take_it_over_once(monkeypatch):
    """Guard: the take-over is conditional on the heartbeat both deliveries
    read (runs.claim)."""
    workspace = make_workspace("Delivered twice")
    lost = timezone.now() - timedelta(seconds=30)
    run = make_run(workspace, status=Status.RUNNING, started_at=lost)
    first, second = (SyncRun.objects.get(pk=run.pk) for _ in range(2))
    taken_by_first = []
    read = second.refresh_from_db

    def read_then_the_first_delivery_takes_over(*args, **kwargs):
        read(*args, **kwargs)
        taken_by_first.append(claim(first))

    # Both deliveries read the lost worker's heartbeat; the first one acts first.
    monkeypatch.setattr(
        second, "refresh_from_db", read_then_the_first_delivery_takes_over
    )

    assert claim(second) is False
    assert taken_by_first == [True]
    stored = SyncRun.objects.get(pk=run.pk)
    assert stored.status == Status.RUNNING
    assert stored.heartbeat_at == first.heartbeat_at > lost
    assert second.heartbeat_at == lost
