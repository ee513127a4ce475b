"""The portal in a real browser: login, dashboard, charts, table, CSV, scoping."""

import csv
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Profile
from schedules.models import Schedule, SyncRun
from tests.browser.conftest import has_pixels, log_in, screenshot
from tests.factories import make_people, make_schedules, make_workspace
from workspaces.models import Connection

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    now = timezone.now()
    acme = make_workspace("Acme EU", listed_at=now)
    globex = make_workspace(
        "Globex US",
        region="us1",
        state=Connection.State.NEEDS_REAUTH,
        state_reason="The token server refused the refresh token (invalid_grant).",
    )
    initech = make_workspace(
        "Initech AU",
        region="au1",
        refresh_token_issued_at=now - timedelta(days=25),
        refresh_token_lifetime_days=30,
        listed_at=now,
    )
    make_schedules(acme, 300, now=now)
    make_schedules(globex, 120, owners=9, now=now)
    make_schedules(initech, 40, owners=5, now=now)
    for workspace, seen in ((acme, 300), (initech, 40)):
        SyncRun.objects.create(
            workspace=workspace,
            trigger="beat",
            status="succeeded",
            started_at=now - timedelta(minutes=3, seconds=4),
            finished_at=now - timedelta(minutes=3),
            counts={"schedules": {"seen": seen, "created": seen}},
        )
    SyncRun.objects.create(
        workspace=globex,
        trigger="beat",
        status="skipped",
        finished_at=now - timedelta(minutes=2),
        error_kind="needs_reauth",
        error_message="Needs re-authorisation: generate a new token pair in AAC.",
    )
    return SimpleNamespace(
        acme=acme, globex=globex, initech=initech, **make_people(acme)
    )


def table_names(page) -> list[str]:
    names = page.locator("#schedules-table tbody td.name > div > a:not(.row-run)")
    return names.all_inner_texts()


def test_it_logs_in_and_keeps_the_browsers_timezone(page, world):
    log_in(page, "bob")
    expect(page.locator("h1")).to_have_text("Dashboard")
    assert Profile.objects.get(user=world.bob).timezone == "Asia/Tokyo"
    expect(page.locator(".chart figcaption").last).to_contain_text("Asia/Tokyo")


def test_the_dashboard_shows_the_cards_and_draws_every_chart(page, world):
    log_in(page, "alice")
    expect(page.locator("article.card")).to_have_count(3)
    globex = page.locator("article.card", has_text="Globex US")
    expect(globex).to_contain_text("invalid_grant")
    expect(globex).to_contain_text("User Preferences → OAuth 2.0 API Tokens")
    initech = page.locator("article.card", has_text="Initech AU")
    expect(initech).to_contain_text(
        "The refresh token of connection 1 expires in 4 days"
    )
    expect(page.locator(".totals dd").first).to_have_text("460")
    canvases = page.locator("canvas[data-chart]")
    expect(canvases).to_have_count(5)
    for canvas in canvases.all():
        assert has_pixels(canvas), canvas.get_attribute("data-chart")
    screenshot(page, "dashboard")


def test_the_admin_pages_hold_the_content_security_policy(page, world, watcher):
    watcher.expect("status of 503")  # the health page, with no worker running
    log_in(page, "alice")
    schedule = Schedule.objects.filter(workspace=world.acme).first()
    for path in [
        "/admin/",
        "/admin/workspaces/workspace/",
        f"/admin/workspaces/workspace/{world.acme.pk}/change/",
        "/admin/workspaces/workspace/add/",
        "/admin/schedules/schedule/",
        f"/admin/schedules/schedule/{schedule.pk}/change/",
        "/admin/schedules/syncrun/",
        "/admin/auth/user/",
        f"/admin/auth/user/{world.bob.pk}/change/",
        "/admin/accounts/profile/",
        "/health/",
        "/accounts/preferences/",
    ]:
        response = page.goto(path)
        assert response.status in (200, 503), path  # 503: health without worker
    screenshot(page, "preferences")


def test_filtering_and_sorting_the_table_shows_the_right_rows(page, world):
    log_in(page, "alice")
    page.goto("/schedules/")
    page.select_option("select[name=task]", "plan")
    page.select_option("select[name=enabled]", "yes")
    page.fill("input[name=q]", "acme")
    page.click(".filters button[type=submit]")
    page.wait_for_url("**task=plan**")
    expected = Schedule.objects.filter(
        workspace=world.acme, task_kind="plan", enabled=True
    )
    expect(page.locator("#table-summary")).to_contain_text(
        f"{expected.count()} schedules"
    )
    assert table_names(page) == [s.name for s in expected.order_by("name", "id")[:50]]

    page.click("th[data-column=next] a")
    page.wait_for_url("**sort=next**")
    by_next = expected.order_by(F("next_run_at").asc(nulls_last=True), "id")
    assert table_names(page) == [s.name for s in by_next[:50]]
    page.click("th[data-column=next] a")
    page.wait_for_url("**sort=-next**")
    by_next = expected.order_by(F("next_run_at").desc(nulls_first=True), "-id")
    assert table_names(page) == [s.name for s in by_next[:50]]
    expect(page.locator("th[data-column=next]")).to_have_attribute(
        "aria-sort", "descending"
    )
    screenshot(page, "table", full_page=False)


def test_the_csv_export_holds_the_rows_of_the_table(page, world):
    log_in(page, "alice")
    page.goto(f"/schedules/?workspace={world.initech.pk}&enabled=yes&sort=owner")
    names = table_names(page)
    owners = page.locator("#schedules-table tbody td[data-label=Owner] a")
    with page.expect_download() as download:
        page.click("#csv-export")
    with open(download.value.path(), newline="", encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    assert 0 < len(rows) < 50
    assert [row["Schedule name"] for row in rows] == names
    assert [row["Owner"] for row in rows] == owners.all_inner_texts()
    assert {row["Workspace"] for row in rows} == {"Initech AU"}


def test_a_viewer_sees_no_buttons(page, world):
    log_in(page, "carol")
    expect(page.locator("article.card")).to_have_count(1)
    expect(page.locator("#sync-all")).to_have_count(0)
    page.goto(world.acme.get_absolute_url())
    expect(page.locator("h1")).to_contain_text("Acme EU")
    expect(page.locator("#resync")).to_have_count(0)
    expect(page.locator("#refresh-tokens")).to_have_count(0)


def test_a_user_without_membership_gets_404_on_a_workspace_page(page, world, watcher):
    watcher.expect("404")  # Chromium logs the failed page load
    log_in(page, "charlie")
    response = page.goto(world.acme.get_absolute_url())
    assert response.status == 404
    page.goto("/schedules/")
    expect(page.locator("#table-summary")).to_have_text("0 schedules")


def test_the_watcher_notices_an_inline_script(page, world, watcher):
    """The guard of every other test here: a CSP violation does get reported."""
    log_in(page, "bob")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.ran = true";
          document.body.append(script);
        }"""
    )
    for _ in range(20):
        if watcher.problems:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.ran") is None
    assert any("CSP: script-src-elem blocked inline" in p for p in watcher.problems)
    watcher.problems.clear()
