"""The "Re-sync now" button against the simulator, with a real Celery worker."""

import re

import pytest
from playwright.sync_api import expect

from aacsim import Fault
from schedules.models import SyncRun
from tests.browser.conftest import log_in, screenshot
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.worker]

SYNC_TIMEOUT = 30_000  # ms: the worker polls its broker about once a second


def counts(prefix):
    """The status line's counts; a simulated oddity may add "N not fully understood"."""
    return re.compile(re.escape(prefix) + r"[,)]")


# Records every status the run's fragment shows, however briefly.
RECORD_STATUSES = """(id) => {
  window.seenStatuses = [document.getElementById(id).dataset.status];
  const record = () => {
    const status = document.getElementById(id);
    const last = window.seenStatuses[window.seenStatuses.length - 1];
    if (status && status.dataset.status !== last) {
      window.seenStatuses.push(status.dataset.status);
    }
  };
  new MutationObserver(record).observe(document.body, {
    subtree: true, childList: true, attributes: true,
  });
}"""


@pytest.fixture
def operator(transactional_db):
    return make_user("alice", superuser=True)


def resync(page):
    page.click("#resync")
    expect(page.locator("#sync-message")).to_contain_text("queued")


def test_the_button_shows_the_sync_through_to_its_new_counts(
    page, operator, aac_sim, make_sim_workspace, celery_worker
):
    remote, workspace = make_sim_workspace("Sim Resync EU", schedules=40)
    status = page.locator(f"#sync-status-{workspace.pk}")
    log_in(page, "alice")
    page.goto(workspace.get_absolute_url())
    expect(status).to_have_attribute("data-status", "none")
    page.evaluate(RECORD_STATUSES, f"sync-status-{workspace.pk}")

    resync(page)
    expect(status).to_have_attribute("data-status", "succeeded", timeout=SYNC_TIMEOUT)
    expect(status).to_contain_text(counts("40 schedules (40 new, 0 updated, 0 deleted"))
    seen = page.evaluate("window.seenStatuses")
    assert seen[:2] == ["none", "queued"]
    assert seen[-1] == "succeeded"
    assert set(seen) <= {"none", "queued", "running", "succeeded"}
    # The button's "queued" gave way to the live status line, and the
    # workspace's state beside its name followed.
    expect(page.locator("#sync-message")).to_have_text("")
    expect(page.locator("#health")).to_have_text("OK")
    # The page reloaded its data without a full reload.
    expect(page.locator("#table-summary")).to_contain_text("40 schedules")
    expect(page.locator(".totals dd").first).to_have_text("40")

    aac_sim.sim.add_schedules(remote.id, 7)
    resync(page)
    expect(status).to_contain_text(
        counts("47 schedules (7 new, 0 updated, 0 deleted"), timeout=SYNC_TIMEOUT
    )
    expect(page.locator("#table-summary")).to_contain_text("47 schedules")
    expect(page.locator("canvas[data-chart]")).to_have_count(4)
    assert SyncRun.objects.filter(workspace=workspace, status="succeeded").count() == 2
    screenshot(page, "workspace", full_page=False)
    screenshot(page, "workspace-full")


def test_the_button_shows_why_a_sync_failed(
    page, operator, aac_sim, make_sim_workspace, celery_worker
):
    remote, workspace = make_sim_workspace("Sim Broken EU", schedules=15)
    aac_sim.sim.faults.add(
        Fault(kind="malformed_json", workspace=remote.id, endpoint="schedules.list")
    )
    status = page.locator(f"#sync-status-{workspace.pk}")
    log_in(page, "alice")
    page.goto(workspace.get_absolute_url())

    resync(page)
    expect(status).to_have_attribute("data-status", "failed", timeout=SYNC_TIMEOUT)
    run = SyncRun.objects.get(workspace=workspace)
    assert run.error_message
    expect(status.locator(".reason")).to_have_text(run.error_message)
    expect(page.locator("#table-summary")).to_contain_text("0 schedules")


def test_a_second_press_during_a_sync_says_so(
    page, operator, aac_sim, make_sim_workspace, celery_worker, watcher
):
    watcher.expect("status of 409 (Conflict)")  # Chromium logs the refusal
    remote, workspace = make_sim_workspace("Sim Slow EU", schedules=5)
    aac_sim.sim.faults.add(
        Fault(
            kind="latency", seconds=1.5, workspace=remote.id, endpoint="schedules.list"
        )
    )
    log_in(page, "alice")
    page.goto(workspace.get_absolute_url())
    resync(page)
    page.click("#resync")
    expect(page.locator("#sync-message")).to_contain_text(
        "A sync of Sim Slow EU is already"
    )
    status = page.locator(f"#sync-status-{workspace.pk}")
    expect(status).to_have_attribute("data-status", "succeeded", timeout=SYNC_TIMEOUT)
    assert SyncRun.objects.filter(workspace=workspace).count() == 1
