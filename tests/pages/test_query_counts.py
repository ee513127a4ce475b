"""Pages cost a fixed number of SQL statements however many schedules there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schedules.models import SyncRun
from tests.factories import make_schedules


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
