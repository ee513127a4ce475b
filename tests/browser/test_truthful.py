"""The reworked dashboard and schedules table as an AAC admin sees them, at 1,366 px
and on a 390 px phone: truthful states, honest charts, every column readable.

Screenshots go under var/screenshots/ for a person to read.
"""

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from schedules.models import Schedule, SyncRun, TaskKind, TriggerKind
from tests.browser.conftest import has_pixels, log_in, screenshot
from tests.factories import make_people, make_schedule, make_schedules, make_workspace

pytestmark = pytest.mark.browser

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(transactional_db):
    """Acme syncs fine; Globex's syncs fail since yesterday; Initech retries."""
    now = timezone.now()
    acme = make_workspace("Acme EU", listed_at=now)
    globex = make_workspace("Globex US", region="us1", listed_at=now)
    initech = make_workspace("Initech AU", region="au1", listed_at=now)
    make_schedules(acme, 120, now=now)
    make_schedules(globex, 60, owners=6, now=now)
    make_schedules(initech, 30, owners=4, now=now)
    make_schedule(
        acme,
        aac_id=9001,
        name="Stock levels every five minutes",
        cron="*/5 * * * *",
        timezone="Europe/Paris",
        trigger_kind=TriggerKind.CRON,
        description="Every 5 minutes, Europe/Paris",
        next_run_at=now + timedelta(minutes=3),
        task_kind=TaskKind.AUTO_INSIGHTS,
        target_name="Stock insights",
        owner_name="Zoë Martin",
        owner_email="zoe@example.com",
    )
    make_schedule(
        acme,
        aac_id=9002,
        name="Quarter-end close (retired)",
        enabled=False,
        disable_reason="Disabled by Zoë: replaced by the new close workflow",
        task_kind=TaskKind.LOCATION_INTELLIGENCE,
        note="2 triggers; the kind shown is the first's",
    )
    for workspace in (acme, globex, initech):
        SyncRun.objects.create(
            workspace=workspace,
            trigger="beat",
            status="succeeded",
            started_at=now - timedelta(days=1, minutes=1),
            finished_at=now - timedelta(days=1) if workspace != acme else now,
            counts={"schedules": {"seen": 100, "created": 100}},
        )
    SyncRun.objects.create(
        workspace=globex,
        trigger="beat",
        status="failed",
        finished_at=now - timedelta(minutes=4),
        error_kind="unavailable",
        error_message="AAC answered 503 on page 2 of 5; nothing applied",
    )
    SyncRun.objects.create(
        workspace=initech,
        trigger="beat",
        status="queued",
        retry_at=now + timedelta(minutes=2),
        error_message="AAC answered 502; retrying",
    )
    return SimpleNamespace(
        acme=acme, globex=globex, initech=initech, **make_people(acme)
    )


def card(page, name: str):
    return page.locator("article.card", has_text=name)


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "390"])
def test_the_dashboard_never_shows_a_failing_workspace_green(page, world, viewport):
    page.set_viewport_size(viewport)
    log_in(page, "alice")
    expect(card(page, "Acme EU").locator("header .badge")).to_have_text("OK")
    globex = card(page, "Globex US")
    expect(globex.locator("header .badge")).to_have_text("Sync failing")
    expect(globex).to_have_class("card tone-bad")
    expect(globex).to_contain_text("AAC answered 503 on page 2 of 5")
    expect(globex).to_contain_text("No successful sync since")
    initech = card(page, "Initech AU")
    expect(initech.locator("header .badge")).to_have_text("Retrying")
    expect(initech).to_contain_text("next automatic sync")
    expect(globex.locator(".freshness .age").first).to_have_text("24 h ago")
    canvases = page.locator("canvas[data-chart]")
    expect(canvases).to_have_count(5)
    for canvas in canvases.all():
        assert has_pixels(canvas), canvas.get_attribute("data-chart")
    upcoming = page.locator("#chart-upcoming-title")
    expect(upcoming).to_contain_text("Runs in the coming 7 days")
    expect(upcoming).to_contain_text("Busiest hours")
    screenshot(page, f"dashboard-{viewport['width']}", under=SHOTS)


def test_every_age_ticks(page, world):
    page.clock.install()
    log_in(page, "alice")
    age = card(page, "Acme EU").locator(".freshness .age").first
    expect(age).to_have_text("just now")
    page.clock.fast_forward("05:00")
    expect(age).to_have_text("5 min ago")


def test_a_click_on_a_bar_opens_the_table_filtered_to_it(page, world):
    page.set_viewport_size(WIDE)
    log_in(page, "alice")
    canvas = page.locator('canvas[data-chart="chart-task-data"]')
    canvas.scroll_into_view_if_needed()
    labels = canvas.evaluate("(c) => Chart.getChart(c).data.labels")
    index = labels.index("Auto Insights")
    x, y = canvas.evaluate(
        """(c, i) => { const bar = Chart.getChart(c).getDatasetMeta(0).data[i];
                       return [bar.x, (bar.y + bar.base) / 2]; }""",
        index,
    )
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url("**/schedules/?task=auto_insights")
    expected = Schedule.objects.filter(task_kind=TaskKind.AUTO_INSIGHTS).count()
    expect(page.locator("#table-summary")).to_contain_text(f"{expected} schedule")


def test_every_column_of_the_table_is_readable_at_1366_px(page, world):
    page.set_viewport_size(WIDE)
    log_in(page, "alice")
    page.goto("/schedules/?q=Stock+levels")
    table = page.locator("#schedules-table")
    row = table.locator("tbody tr").first
    expect(row).to_contain_text("AAC id 9001")
    expect(row.get_by_role("link", name="open in AAC ↗")).to_have_attribute(
        "href", "https://eu1.alteryxcloud.com/schedules/9001"
    )
    expect(row).to_contain_text("Auto Insights")
    scroll = page.locator(".scroll").first
    overflow = scroll.evaluate("(s) => s.scrollWidth - s.clientWidth")
    assert overflow <= 0, f"the table is {overflow} px wider than the page"
    for header in table.locator("thead th").all():
        assert header.is_visible()
        box = header.bounding_box()
        assert box["x"] + box["width"] <= WIDE["width"], header.inner_text()
    page.goto("/schedules/?enabled=no&q=Quarter")
    retired = table.locator("tbody tr").first
    expect(retired).to_contain_text("replaced by the new close workflow")
    expect(retired).to_contain_text("2 triggers; the kind shown is the first's")
    page.goto("/schedules/")
    screenshot(page, "table-1366", full_page=False, under=SHOTS)


def test_the_table_is_usable_and_sortable_on_a_phone(page, world):
    page.set_viewport_size(PHONE)
    log_in(page, "alice")
    page.goto(f"/schedules/?workspace={world.acme.pk}")
    expect(page.locator("#schedules-table thead")).to_be_hidden()
    page.select_option("#sort-select", "-next")
    page.locator("#sort-form button").click()
    page.wait_for_url("**sort=-next**")
    assert f"workspace={world.acme.pk}" in page.url
    first = page.locator("#schedules-table tbody tr").first
    expect(first.locator('td[data-label="Next run"]')).to_be_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a phone"
    screenshot(page, "table-390", full_page=False, under=SHOTS)


def test_the_admins_workspace_page_says_the_truth_and_carries_the_buttons(page, world):
    page.set_viewport_size(WIDE)
    log_in(page, "alice")
    page.goto(f"/admin/workspaces/workspace/{world.globex.pk}/change/")
    expect(page.locator("div.field-state_badge")).to_contain_text("Sync failing")
    expect(page.locator(".field-latest_sync")).to_contain_text("AAC answered 503")
    expect(page.locator(".field-data_as_of")).to_contain_text("ago")
    for button in ("#admin-test", "#admin-refresh", "#admin-resync"):
        expect(page.locator(button)).to_be_visible()
    screenshot(page, "admin-workspace-1366", under=SHOTS)
