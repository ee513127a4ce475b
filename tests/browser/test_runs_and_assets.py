"""A schedule's page, the asset tables and pages, and the runs page, in a real
browser, over a workspace synced from the simulator (a week of run history)."""

from types import SimpleNamespace

import pytest
from django.db.models import Count
from playwright.sync_api import expect

from schedules.models import Plan, Run, Schedule, SyncRun
from schedules.sync.catalog import KINDS
from tests.browser.conftest import ARTIFACTS, has_pixels, log_in, screenshot
from tests.factories import make_people
from tests.schedules.conftest import sync

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db, make_sim_workspace, settings):
    settings.AAC_PAGE_SIZE = 1000
    _remote, acme = make_sim_workspace("Acme EU", schedules=120)
    _remote, globex = make_sim_workspace("Globex US", schedules=60)
    for workspace in (acme, globex):
        assert sync(workspace, kinds=KINDS).status == SyncRun.Status.SUCCEEDED
    return SimpleNamespace(acme=acme, globex=globex, **make_people(acme))


def busiest_schedule(workspace) -> Schedule:
    """The enabled clock-driven schedule of the workspace with the most runs."""
    counts = (
        Run.objects.filter(workspace=workspace, schedule_aac_id__isnull=False)
        .values("schedule_aac_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    for row in counts:
        schedule = Schedule.objects.get(
            workspace=workspace, aac_id=row["schedule_aac_id"]
        )
        if schedule.enabled and schedule.next_run_at:
            return schedule
    raise AssertionError("no enabled schedule with runs")


def test_a_schedule_page_says_when_what_whose_and_how_its_runs_went(page, world):
    schedule = busiest_schedule(world.acme)
    log_in(page, "alice")
    page.goto(f"/schedules/?workspace={world.acme.pk}&q={schedule.name}")
    url = f"/workspaces/{world.acme.pk}/schedules/{schedule.aac_id}/"
    page.locator(f'#schedules-table td.name a[href="{url}"]').click()

    expect(page.locator("h1")).to_contain_text(schedule.name)
    expect(page.locator("#triggers li").first).to_be_visible()
    expect(page.locator("#next-runs tbody tr")).to_have_count(10)
    # The viewer's time (Tokyo) and the schedule's own, side by side.
    expect(page.locator("#next-runs thead")).to_contain_text(schedule.timezone)
    expect(page.locator("#owner-state")).to_contain_text(
        "disabled in AAC" if schedule.owner_disabled else "active"
    )
    expect(page.locator("#targets a").first).to_have_text(schedule.target_name)
    expect(page.locator("#runs-table tbody tr").first).to_be_visible()
    expect(page.locator(".totals")).to_contain_text("Success rate, last 30 days")
    href = page.locator("#open-in-aac").get_attribute("href")
    assert href.endswith(f"/schedules/{schedule.aac_id}")
    screenshot(page, "schedule-page")

    page.locator("#targets a").first.click()
    expect(page.locator("#asset-schedules")).to_contain_text(schedule.name)
    screenshot(page, "asset-page")


def test_the_plans_table_shows_schedules_last_runs_and_streaks(page, world):
    failing = Plan.objects.filter(failure_streak__gt=0).order_by("-failure_streak")
    assert failing.exists()
    log_in(page, "alice")
    page.goto("/plans/?sort=-streak")

    first = page.locator("#assets-table tbody tr").first
    expect(first).to_contain_text(failing[0].name)
    expect(first).to_contain_text(f"{failing[0].failure_streak} failed")
    expect(page.locator("#table-summary")).to_contain_text(
        f"{Plan.objects.count()} plans"
    )
    screenshot(page, "plans")
    page.locator("nav.tabs a", has_text="Workflows").click()
    expect(page.locator("h1")).to_have_text("Workflows")
    screenshot(page, "workflows")


def test_the_runs_page_filters_draws_its_charts_and_pages_back(page, world):
    log_in(page, "alice")
    page.goto("/runs/")

    for canvas in page.locator("canvas[data-chart]").all():
        expect(canvas).to_be_visible()
        assert has_pixels(canvas)
    expect(page.locator("#runs-table tbody tr")).to_have_count(50)
    screenshot(page, "runs")
    page.locator(".charts").screenshot(path=ARTIFACTS / "runs-charts.png")

    page.select_option("#id_status", "Failed")
    page.select_option("#id_workspace", str(world.acme.pk))
    page.click("form.filters button[type=submit]")
    rows = page.locator("#runs-table tbody tr")
    expect(rows.first).to_have_attribute("data-status", "Failed")
    assert set(rows.evaluate_all("rows => rows.map(r => r.dataset.status)")) == {
        "Failed"
    }
    expect(rows.first.locator("td.error")).not_to_be_empty()
    screenshot(page, "runs-failed")
    page.click("#older")
    expect(page.locator("nav.pages")).to_contain_text("Newest")


def test_the_dashboard_counts_the_runs_failed_in_the_last_day(page, world):
    log_in(page, "bob")
    tile = page.locator("#failed-runs")

    expect(tile).to_be_visible()
    count = int(tile.locator("dd").inner_text().replace(",", ""))
    assert count > 0
    tile.locator("a").click()
    expect(page.locator("#id_status")).to_have_value("Failed")
    expect(page.locator("#runs-table tbody tr").first).to_have_attribute(
        "data-status", "Failed"
    )
    screenshot(page, "dashboard-failed-runs")
