""" "Connect my AAC account" in a real browser, with a real worker: an operator
pastes their own pair into a workspace whose AAC lists each owner's schedules,
and after the next sync the portal sees their schedules too."""

import re

import pytest
from playwright.sync_api import expect

from schedules.models import Schedule
from tests.browser.conftest import log_in, screenshot
from tests.factories import add_member, make_user
from workspaces.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.worker]

SYNC_TIMEOUT = 30_000  # ms: the worker polls its broker about once a second


def visible_people(text: str) -> int:
    return int(re.search(r"the schedules of (\d+) of \d+ people", text).group(1))


def test_connecting_my_account_grows_the_coverage_after_the_next_sync(
    page, transactional_db, aac_sim, make_sim_workspace, celery_worker
):
    remote, workspace = make_sim_workspace(
        "Sim Per Owner", schedules=80, people=6, list_scope="owner"
    )
    bob = make_user("bob")
    add_member(bob, workspace, Membership.Role.OPERATOR)
    me = next(
        p
        for p in remote.people[1:]
        if not p["isDisabled"]
        and any(s["createdBy"] == p["id"] for s in aac_sim.sim.schedules(remote.id))
    )
    mine = {
        s["id"] for s in aac_sim.sim.schedules(remote.id) if s["createdBy"] == me["id"]
    }
    status = page.locator(f"#sync-status-{workspace.pk}")
    coverage = page.locator("#live .coverage")
    log_in(page, "bob")
    page.goto(workspace.get_absolute_url())
    page.click("#resync")
    expect(status).to_have_attribute("data-status", "succeeded", timeout=SYNC_TIMEOUT)
    expect(coverage).to_contain_text("Partial: the schedules of 1 of 6 people")
    before = Schedule.objects.filter(workspace=workspace).count()

    # In AAC, I generate my own pair (User Preferences → OAuth 2.0 API Tokens).
    pair = aac_sim.sim.new_token_pair(remote.id, person_id=me["id"])
    page.click("#connections-link")
    page.fill("#id_new_access_token", pair.access_token)
    page.fill("#id_new_refresh_token", pair.refresh_token)
    page.fill("#id_refresh_token_lifetime_days", "90")
    page.click("#connect")
    expect(page.locator(".message")).to_contain_text("the connection is being tested")
    row = page.locator("table.connections tr", has_text=me["email"])
    expect(row.locator(".task")).to_have_attribute(
        "data-status", "succeeded", timeout=SYNC_TIMEOUT
    )
    expect(row).to_contain_text("OK")
    # Saving the pair queued a sync through it too: the page follows it.
    expect(status).to_have_attribute("data-status", "succeeded", timeout=SYNC_TIMEOUT)

    page.goto(workspace.get_absolute_url())
    expect(status).to_contain_text(re.compile(r"\d+ schedules \(\d+ new"))
    expect(status).to_have_attribute("data-status", "succeeded", timeout=SYNC_TIMEOUT)
    expect(coverage).to_contain_text("Partial: the schedules of 2 of 6 people")
    after = Schedule.objects.filter(workspace=workspace).count()
    assert after == before + len(mine)
    assert visible_people(coverage.inner_text()) == 2
    expect(page.locator("#table-summary")).to_contain_text(f"{after} schedules")
    screenshot(page, "connect-my-account", full_page=False)
    page.click("#connections-link")
    screenshot(page, "connections")
