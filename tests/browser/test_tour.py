"""The guided first visit in a real browser: shown at the first login, followed
from page to page, dismissed, and still dismissed at the next login."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.factories import make_schedules, make_user, make_workspace

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db, settings):
    settings.AAC_FIRST_VISIT_TOUR = True
    workspace = make_workspace("Acme EU", listed_at=timezone.now())
    make_schedules(workspace, 12)
    make_user("alice", superuser=True)
    make_user("bob", superuser=True)
    return workspace


def step(page, name):
    return page.locator(f'#tour li[data-step="{name}"]')


def test_the_first_visit_is_guided_until_dismissed(page, world):
    tour = page.locator("#tour")
    log_in(page, "alice")
    expect(tour).to_be_visible()
    expect(step(page, "dashboard")).to_have_attribute("aria-current", "step")
    expect(tour.locator("li")).to_have_count(7)
    screenshot(page, "tour", full_page=False)

    step(page, "attention").get_by_role("link").click()
    page.wait_for_url("**/attention/")
    expect(page.locator("#tour-steps")).not_to_have_attribute("open", "")
    expect(step(page, "attention")).to_have_attribute("aria-current", "step")
    page.click("#tour summary")  # folded away from the dashboard
    step(page, "activity").get_by_role("link").click()
    page.wait_for_url("**/activity/")
    expect(step(page, "activity")).to_have_attribute("aria-current", "step")
    page.click("#tour summary")
    step(page, "window").get_by_role("link").click()
    page.wait_for_url("**/windows/")
    expect(step(page, "window")).to_have_attribute("aria-current", "step")

    page.click("#tour summary")
    step(page, "schedule").get_by_role("link", name="Schedules").click()
    page.locator("#schedules-table tbody td a[href*='/schedules/']").first.click()
    page.wait_for_url("**/schedules/*/")
    expect(step(page, "schedule")).to_have_attribute("aria-current", "step")
    schedule_page = page.url

    page.click("#dismiss-tour")
    expect(tour).to_have_count(0)
    assert page.url == schedule_page
    page.goto("/")
    expect(tour).to_have_count(0)

    page.get_by_role("button", name="Log out").click()
    log_in(page, "alice")
    expect(tour).to_have_count(0)


def test_each_user_dismisses_it_for_themselves(page, world):
    log_in(page, "alice")
    page.click("#dismiss-tour")
    page.get_by_role("button", name="Log out").click()

    log_in(page, "bob")
    expect(page.locator("#tour")).to_be_visible()
