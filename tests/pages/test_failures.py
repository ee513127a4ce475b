""" "Runs failed in the last 24 h" on the dashboard, its cards and a workspace page."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_aac_run

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture(autouse=True)
def failures(world):
    with time_machine.travel(NOW, tick=False):
        for workspace, hours in ((world.acme, 1), (world.acme, 23), (world.globex, 2)):
            make_aac_run(
                workspace, status="Failed", created=NOW - timedelta(hours=hours)
            )
        make_aac_run(world.acme, status="Failed", created=NOW - timedelta(hours=25))
        make_aac_run(world.acme, status="Complete", created=NOW - timedelta(hours=1))
        yield


def test_the_dashboard_counts_the_failures_of_every_visible_workspace(login, world):
    response = login(world.alice).get(reverse("pages:dashboard"))

    failed = response.context["failed_runs"]
    assert failed.count == 3
    assert {
        card.workspace.name: card.failed_runs for card in response.context["cards"]
    } == {
        "Acme EU": 2,
        "Globex US": 1,
    }
    assert "2 runs failed in the last 24 h" in response.text


def test_a_member_counts_their_workspaces_only(login, world):
    response = login(world.bob).get(reverse("pages:dashboard"))

    assert response.context["failed_runs"].count == 2


def test_the_tile_links_to_the_runs_table_showing_those_failures(login, world):
    client = login(world.alice)
    url = client.get(reverse("pages:dashboard")).context["failed_runs"].url

    query = parse_qs(urlsplit(url).query)
    assert query["status"] == ["Failed"]
    response = client.get(url)
    assert len(response.context["table"].rows) == 3


def test_a_workspace_page_counts_its_own(login, world):
    client = login(world.bob)
    response = client.get(reverse("pages:workspace", args=[world.acme.pk]))

    failed = response.context["failed_runs"]
    assert failed.count == 2
    assert parse_qs(urlsplit(failed.url).query)["workspace"] == [str(world.acme.pk)]
    assert len(client.get(failed.url).context["table"].rows) == 2
