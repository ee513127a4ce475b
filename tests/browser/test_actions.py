"""Acting from the portal in a real browser, against the simulator and a real
worker: run now to its end, a bulk disable across two workspaces with a
partial result, a maintenance window that meets an owner's own change."""

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from actions.models import RunRequest
from activity.models import Entry
from schedules.models import Plan, Schedule
from tests.actions.worlds import enable_own, in_aac, synced
from tests.browser.conftest import log_in, screenshot
from tests.factories import add_member, make_user
from workspaces.connection import call_aac
from workspaces.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.worker]

TIMEOUT = 40_000  # ms: the worker polls its broker about once a second
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def world(transactional_db, make_sim_workspace):
    # Few people, so each owns several of the (few enough for one page) rows.
    _remote, acme = make_sim_workspace("Acme EU", schedules=20, people=3)
    _remote2, globex = make_sim_workspace("Globex US", schedules=20, people=3)
    for workspace in (acme, globex):
        synced(workspace)
        enable_own(workspace, workspace.connections.get())
    bob = make_user("bob")
    for workspace in (acme, globex):
        add_member(bob, workspace, Membership.Role.OPERATOR)
    return SimpleNamespace(
        acme=acme, globex=globex, remotes=(_remote, _remote2), bob=bob
    )


def owned(workspace, *, mine: bool) -> list[Schedule]:
    """Enabled schedules whose owner has (or has not) the workspace's connection."""
    person = workspace.connections.get().aac_person_id
    rows = Schedule.objects.filter(workspace=workspace, enabled=True).exclude(
        owner_id=""
    )
    rows = rows.filter(owner_id=person) if mine else rows.exclude(owner_id=person)
    return list(rows.order_by("aac_id"))


def startable_plan(aac_sim, remote, workspace) -> Plan:
    assets = aac_sim.sim.workspace(remote.id).assets.by_kind
    whole = [
        plan.id
        for plan in assets["plan"].values()
        if all(flow in assets["flow"] for flow in plan.flow_ids)
    ]
    return Plan.objects.filter(workspace=workspace, aac_id__in=whole).first()


@pytest.mark.parametrize(
    ("outcome", "message", "shown"),
    [
        ("Complete", None, "Complete."),
        ("Failed", "Input file s3://ledger/2026.csv not found", "Failed: Input file"),
    ],
)
def test_run_now_is_followed_live_to_its_end(
    page, world, aac_sim, celery_worker, outcome, message, shown
):
    remote = world.remotes[0]
    plan = startable_plan(aac_sim, remote, world.acme)
    aac_sim.sim.set_next_run(
        remote.id,
        "plan",
        plan.aac_id,
        status=outcome,
        message=message,
        duration=2,
        queued=0,
    )
    log_in(page, "bob")
    page.goto(f"/workspaces/{world.acme.pk}/plans/{plan.aac_id}/")
    page.click("#run-now")
    expect(page.locator("#run-workspace")).to_have_text("Acme EU")
    expect(page.locator("#run-asset")).to_contain_text(plan.name)
    expect(page.locator("#run-connection")).not_to_have_text("—")
    page.click("#confirm")

    status = page.locator("#run-request")
    expect(status).to_have_attribute("data-status", "started", timeout=TIMEOUT)
    final = "complete" if outcome == "Complete" else "failed"
    expect(status).to_have_attribute("data-status", final, timeout=TIMEOUT)
    expect(page.locator("#run-message")).to_contain_text(shown)
    if message:
        expect(page.locator("#run-message")).to_contain_text(message)
    run = RunRequest.objects.get()
    assert run.aac_run_id is not None
    assert Entry.objects.filter(action="run_now", username="bob").count() == 3
    screenshot(page, f"run-now-{final}", full_page=False)


def test_a_bulk_disable_across_two_workspaces_reports_each_schedule(
    page, world, aac_sim, celery_worker
):
    acme_mine = owned(world.acme, mine=True)[0]
    acme_theirs = owned(world.acme, mine=False)[0]
    globex_mine = owned(world.globex, mine=True)[0]
    log_in(page, "bob")
    page.goto("/schedules/")
    for schedule in (acme_mine, acme_theirs, globex_mine):
        page.check(f'input[name="s"][value="{schedule.pk}"]')
    screenshot(page, "schedules-ticked", full_page=False)
    page.click("#disable-ticked")

    expect(page.locator("h1")).to_have_text("Disable 3 schedules?")
    expect(page.locator("#summary-workspaces tbody tr")).to_have_count(2)
    expect(page.locator("#summary")).to_contain_text("1 will fail")
    page.fill("#id_reason", "Data centre move")
    screenshot(page, "bulk-confirm")
    page.click("#confirm")

    results = page.locator("#change-results")
    expect(results).to_have_attribute("data-status", "finished", timeout=TIMEOUT)
    expect(page.locator("#change-progress")).to_contain_text("2 done · 1 failed")
    failed = page.locator(f'tr[data-schedule="{acme_theirs.aac_id}"]')
    expect(failed).to_have_attribute("data-status", "failed")
    expect(failed.locator(".reason")).to_contain_text(
        f"Only {acme_theirs.owner_name} may change it in AAC"
    )
    for schedule, remote in (
        (acme_mine, world.remotes[0]),
        (globex_mine, world.remotes[1]),
    ):
        row = page.locator(f'tr[data-schedule="{schedule.aac_id}"]')
        expect(row).to_have_attribute("data-status", "succeeded")
        assert in_aac(aac_sim, remote, schedule.aac_id)["enabled"] is False
    assert in_aac(aac_sim, world.remotes[0], acme_theirs.aac_id)["enabled"] is True
    screenshot(page, "bulk-disable")
    page.goto("/activity/?action=disable")
    expect(page.locator("#activity-table tbody tr")).to_have_count(3)
    screenshot(page, "activity")


def test_a_window_leaves_a_schedule_its_owner_changed_as_the_owner_set_it(
    page, world, aac_sim, celery_worker
):
    kept, changed = owned(world.acme, mine=True)[:2]
    remote = world.remotes[0]
    log_in(page, "bob")
    page.goto(f"/schedules/?workspace={world.acme.pk}")
    for schedule in (kept, changed):
        page.check(f'input[name="s"][value="{schedule.pk}"]')
    page.click("#pause-ticked")

    now = datetime.now(TOKYO)
    page.fill("#id_reason", "Warehouse upgrade")
    page.fill("#id_starts_at", (now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_ends_at", (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.click("#confirm")

    expect(page.locator("#window-items")).to_have_attribute(
        "data-status", "active", timeout=TIMEOUT
    )
    expect(page.locator(f'tr[data-schedule="{kept.aac_id}"]')).to_have_attribute(
        "data-state", "disabled"
    )
    assert in_aac(aac_sim, remote, changed.aac_id)["enabled"] is False
    # The owner re-enables it in AAC, then disables it again: their change.
    connection = world.acme.connections.get()
    call_aac(connection, lambda c: c.enable_schedule(changed.aac_id))
    call_aac(connection, lambda c: c.disable_schedule(changed.aac_id))

    page.click("#window-end")
    expect(page.locator("#window-items")).to_have_attribute(
        "data-status", "ended", timeout=TIMEOUT
    )
    expect(page.locator(f'tr[data-schedule="{kept.aac_id}"]')).to_have_attribute(
        "data-state", "re_enabled"
    )
    left = page.locator(f'tr[data-schedule="{changed.aac_id}"]')
    expect(left).to_have_attribute("data-state", "left")
    expect(left.locator(".reason")).to_contain_text("left as its owner set it")
    assert in_aac(aac_sim, remote, kept.aac_id)["enabled"] is True
    assert in_aac(aac_sim, remote, changed.aac_id)["enabled"] is False
    screenshot(page, "maintenance-window")
