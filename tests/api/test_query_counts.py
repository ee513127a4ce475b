"""The API's lists cost a fixed number of SQL statements, however many rows:
the same for 10 rows as for 1,000, a first page as a later one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activity.models import Entry
from attention.models import Finding
from schedules.models import Schedule, SyncRun
from tests.api.calls import api_client
from tests.factories import make_history, make_schedules, make_token


def statements(client, url: str, query: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query or {})
        assert response.status_code == 200, response.content
    return len(queries)


def grow(world, n: int, *, start: int) -> None:
    """`n` schedules, `n` runs (of n / 20 plans) and n / 10 sync runs per
    workspace."""
    for workspace in (world.acme, world.globex):
        made = make_schedules(workspace, n, start_id=start)
        ids = [schedule.aac_id for schedule in made]
        make_history(workspace, n, plans=max(2, n // 20), schedules=ids)
        SyncRun.objects.bulk_create(
            SyncRun(workspace=workspace, trigger="beat", status="succeeded")
            for _ in range(max(1, n // 10))
        )
        now = timezone.now()
        Finding.objects.bulk_create(
            Finding(
                workspace=workspace,
                rule="failing_schedule",
                severity="critical",
                subject_kind="schedule",
                subject_id=str(aac_id),
                message="fails",
                since=now,
                opened_at=now,
                seen_at=now,
            )
            for aac_id in ids
        )
        Entry.objects.bulk_create(
            Entry(
                workspace_id=workspace.pk,
                workspace_name=workspace.name,
                action="resync",
                outcome="queued",
                username="bob",
            )
            for _ in range(n)
        )


LISTS = {
    "workspaces": ("api:workspaces", {}),
    "schedules": ("api:schedules", {}),
    "filtered schedules": ("api:schedules", {"enabled": "yes", "sort": "-next"}),
    "searched schedules": ("api:schedules", {"q": "schedule", "sort": "owner"}),
    "plans": ("api:plans", {"failing": "yes", "sort": "-streak"}),
    "runs": ("api:runs", {"status": "Failed"}),
    "sync runs": ("api:sync_runs", {}),
    "findings": ("api:findings", {"rule": "failing_schedule"}),
    "activity": ("api:activity", {"action": "resync"}),
}


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("user", ["alice", "bob"])
def test_a_list_issues_as_many_statements_for_1000_rows_as_for_10(world, name, user):
    client = api_client(make_token(getattr(world, user))[1])
    url, query = reverse(LISTS[name][0]), {**LISTS[name][1], "limit": 5}
    grow(world, 5, start=1)
    client.get(url, query)  # the token's first use, noted (once a minute)
    few = statements(client, url, query)
    grow(world, 495, start=100)
    assert statements(client, url, query) == few
    # A later page: the cursor adds a condition, not a statement.
    page = client.get(url, query).json()
    if page.get("next_cursor"):
        assert statements(client, url, {**query, "cursor": page["next_cursor"]}) == few


def test_a_schedule_with_its_runs_costs_the_same_with_more_runs(world):
    client = api_client(make_token(world.bob)[1])
    grow(world, 5, start=1)
    schedule = Schedule.objects.filter(workspace=world.acme).first()
    url = reverse("api:schedule", args=[world.acme.pk, schedule.aac_id])
    client.get(url)  # the token's first use, noted (once a minute)
    few = statements(client, url)
    make_history(world.acme, 500, schedules=[schedule.aac_id])
    assert statements(client, url) == few
