"""The simulator's data, synced through the real task, opens findings of several
rules: what the demo shows on its attention page."""

import pytest

from attention.models import Finding
from schedules import tasks
from tests.schedules.conftest import new_run

pytestmark = pytest.mark.django_db


def test_a_synced_simulated_workspace_has_findings_of_several_rules(make_sim_workspace):
    _, workspace = make_sim_workspace("Simulated", schedules=400, people=30)

    tasks.sync_workspace.apply(args=[new_run(workspace).pk])

    rules = set(
        Finding.objects.filter(
            workspace=workspace, resolved_at__isnull=True
        ).values_list("rule", flat=True)
    )
    assert {
        "owner_disabled",
        "never_fires",
        "frequent_schedule",
        "failing_schedule",
    } <= rules
    # The simulator runs every enabled schedule of a plan, flow or workflow:
    # none of them is reported as not having run.
    assert "missed_run" not in rules
