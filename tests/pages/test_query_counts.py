"""Pages cost a fixed number of SQL statements however many schedules, assets
and runs there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from schedules.assets.listing import cursor_of
from schedules.assets.rollups import after_runs
from schedules.models import Run, Schedule, SyncRun
from tests.factories import make_history, make_schedules


def statements(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


@pytest.fixture
def pages(world):
    for workspace in (world.acme, world.globex):
        SyncRun.objects.create(workspace=workspace, trigger="beat", status="succeeded")
        SyncRun.objects.create(workspace=workspace, trigger="beat", status="failed")
    return {
        "dashboard": reverse("pages:dashboard"),
        "table": reverse("pages:schedules"),
        "filtered table": (
            f"{reverse('pages:schedules')}?enabled=yes&task=plan&sort=-next"
        ),
        "workspace": reverse("pages:workspace", args=[world.acme.pk]),
        "csv": reverse("pages:schedules_csv"),
        "status poll": reverse("pages:sync_status"),
        "connections": reverse("pages:connections", args=[world.acme.pk]),
    }


@pytest.mark.parametrize(
    "page",
    [
        "dashboard",
        "table",
        "filtered table",
        "workspace",
        "csv",
        "status poll",
        "connections",
    ],
)
@pytest.mark.parametrize("user", ["alice", "bob"])
def test_it_issues_as_many_statements_for_1000_schedules_as_for_10(
    login, world, pages, page, user
):
    client = login(getattr(world, user))
    make_schedules(world.acme, 5, start_id=1)
    make_schedules(world.globex, 5, start_id=1)
    few = statements(client, pages[page])
    make_schedules(world.acme, 495, start_id=100)
    make_schedules(world.globex, 495, start_id=100)
    assert statements(client, pages[page]) == few


def _grow(world, runs: int, schedules: int, *, start: int) -> None:
    """Schedules with owners, plans and their runs, in both workspaces."""
    for workspace in (world.acme, world.globex):
        made = make_schedules(workspace, schedules, start_id=start)
        ids = [schedule.aac_id for schedule in made]
        Schedule.objects.filter(pk__in=[s.pk for s in made]).update(
            task_kind="plan", target_id="1500001", owner_id="101"
        )
        make_history(workspace, runs, plans=max(2, runs // 20), schedules=ids)
        after_runs(workspace, timezone.now())


@pytest.mark.parametrize(
    "page",
    [
        "dashboard",
        "workspace",
        "runs",
        "filtered runs",
        "older runs",
        "plans",
        "failing plans",
        "plan",
        "schedule",
    ],
)
@pytest.mark.parametrize("user", ["alice", "bob"])
def test_the_run_and_asset_pages_issue_as_many_statements_for_500_runs_as_for_5(
    login, world, pages, page, user
):
    client = login(getattr(world, user))
    _grow(world, 5, 3, start=1)
    acme = world.acme.pk
    urls = {
        **pages,
        "runs": reverse("pages:runs"),
        "filtered runs": f"{reverse('pages:runs')}?status=Failed&kind=plan&ranfrom=ui",
        "plans": reverse("pages:plans"),
        "failing plans": f"{reverse('pages:plans')}?failing=yes&sort=-streak",
        "plan": reverse("pages:plan", args=[acme, 1_500_001]),
        "schedule": reverse("pages:schedule", args=[acme, 1]),
    }
    newest = Run.objects.filter(workspace=world.acme).order_by("-aac_created_at")
    urls["older runs"] = f"{reverse('pages:runs')}?after={cursor_of(newest[2])}"
    few = statements(client, urls[page])
    _grow(world, 500, 60, start=100)
    assert statements(client, urls[page]) == few
