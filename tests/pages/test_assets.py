"""The plan, flow and workflow tables and each asset's page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from schedules.assets.rollups import after_runs
from schedules.models import Flow, Plan, TaskKind, Workflow
from tests.factories import make_aac_run, make_asset, make_person, make_schedule

ULID = "01HZX3Q4W5E6R7T8Y9U0I1O2P3"


@pytest.fixture
def plans(world):
    """Acme: a plan failing three times in a row, run by two schedules, owned
    by Ann; a quiet plan; Globex: a plan of its own."""
    now = timezone.now()
    failing = make_asset(Plan, world.acme, 11, name="Sales rebuild", owner_aac_id=5)
    quiet = make_asset(Plan, world.acme, 12, name="Archive", owner_aac_id=6)
    make_asset(Plan, world.globex, 13, name="Globex plan")
    make_person(world.acme, 5, name="Ann Admin", email="ann@x.test")
    for aac_id, name in ((1, "Nightly sales"), (2, "Hourly sales")):
        make_schedule(
            world.acme,
            aac_id=aac_id,
            name=name,
            task_kind=TaskKind.PLAN,
            target_id="11",
            owner_id="5",
            owner_name="Ann Admin",
            owner_email="ann@x.test",
        )
    for hours, status in ((5, "Complete"), (4, "Failed"), (3, "Failed"), (2, "Failed")):
        make_aac_run(
            world.acme,
            asset=failing,
            status=status,
            created=now - timedelta(hours=hours),
            error_message="Quota exceeded" if status == "Failed" else "",
        )
    after_runs(world.acme, now)
    return {"failing": failing, "quiet": quiet}


def names(response) -> list[str]:
    return [row.asset.name for row in response.context["table"].rows]


def test_the_table_lists_the_visible_plans_with_their_schedules_and_streaks(
    login, world, plans
):
    response = login(world.bob).get(reverse("pages:plans"))

    assert names(response) == ["Archive", "Sales rebuild"]
    rows = {row.asset.name: row for row in response.context["table"].rows}
    failing = rows["Sales rebuild"]
    assert [s.name for s in failing.schedules] == ["Hourly sales", "Nightly sales"]
    assert (failing.owner.name, failing.owner.email) == ("Ann Admin", "ann@x.test")
    assert failing.asset.failure_streak == 3
    assert failing.asset.last_run_status == "Failed"
    assert str(rows["Archive"].owner) == "AAC person 6"
    assert "3 failed" in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("failing=yes", ["Sales rebuild"]),
        ("failing=no", ["Archive", "Globex plan"]),
        ("q=sales", ["Sales rebuild"]),
        # Ties go by id, the same way as the sort.
        ("sort=-streak", ["Sales rebuild", "Globex plan", "Archive"]),
        ("sort=-last", ["Globex plan", "Archive", "Sales rebuild"]),
        ("sort=workspace", ["Sales rebuild", "Archive", "Globex plan"]),
    ],
)
def test_it_filters_and_sorts(login, world, plans, query, expected):
    response = login(world.alice).get(f"{reverse('pages:plans')}?{query}")

    assert names(response) == expected


@pytest.mark.parametrize(
    "query",
    ["page=zzz", "sort=raw", "failing=maybe", "workspace=abc", "q=" + "x" * 300],
)
def test_it_ignores_invalid_parameters(login, world, plans, query):
    response = login(world.alice).get(f"{reverse('pages:plans')}?{query}")

    assert response.status_code == 200


def test_flows_and_workflows_have_their_tables(login, world):
    make_asset(Flow, world.acme, 21, name="Load flow")
    make_asset(Workflow, world.acme, ULID, name="Cloud workflow", workflow_type="CLOUD")
    client = login(world.carol)

    assert names(client.get(reverse("pages:flows"))) == ["Load flow"]
    workflows = client.get(reverse("pages:workflows"))
    assert names(workflows) == ["Cloud workflow"]
    assert f"/workspaces/{world.acme.pk}/workflows/{ULID}/" in workflows.text


def test_an_assets_page_shows_its_schedules_streak_and_runs(login, world, plans):
    url = reverse("pages:plan", args=[world.acme.pk, 11])

    response = login(world.carol).get(url)

    assert response.status_code == 200
    assert "3 failed runs since the last complete one" in response.text
    assert "Nightly sales" in response.text
    assert "Quota exceeded" in response.text
    summary = response.context["history"].summary
    assert (summary.finished, summary.failed, summary.success_rate) == (4, 3, 25.0)
    assert response.context["aac_url"].endswith("/plans/11")


def test_an_asset_outside_the_users_workspaces_is_not_found(login, world, plans):
    globex_plan = reverse("pages:plan", args=[world.globex.pk, 13])
    wrong_kind = reverse("pages:flow", args=[world.acme.pk, 11])

    assert login(world.bob).get(globex_plan).status_code == 404
    assert login(world.bob).get(wrong_kind).status_code == 404
    assert (
        login(world.charlie)
        .get(reverse("pages:plan", args=[world.acme.pk, 11]))
        .status_code
        == 404
    )
