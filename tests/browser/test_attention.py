"""The attention page and the digest e-mail in a real browser, at a laptop's
1,366 px and a phone's 390 px, with screenshots to look at."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from attention.digest import compose, render
from attention.evaluate import evaluate_workspace
from schedules.models import SyncRun
from tests.attention.world import SCENARIOS
from tests.browser.conftest import ARTIFACTS, log_in, screenshot
from tests.factories import make_aac_run, make_people, make_schedules, make_workspace

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    """Acme with findings of most rules; Globex failing to sync."""
    now = timezone.now()
    acme = make_workspace("Acme EU")
    globex = make_workspace("Globex US", region="us1")
    for rule, (arrange, _) in SCENARIOS.items():
        if rule not in ("partial_coverage", "sync_failing"):
            arrange(acme)
    make_schedules(acme, 60, start_id=100, now=now)
    SCENARIOS["sync_failing"][0](globex)
    SyncRun.objects.filter(workspace=globex).update(
        finished_at=now - timedelta(minutes=4)
    )
    make_aac_run(acme, status="Failed", created=now - timedelta(hours=1))
    for workspace in (acme, globex):
        evaluate_workspace(workspace=workspace, now=now)
    people = make_people(acme)
    return acme, globex, people


@pytest.mark.parametrize("width", [1366, 390])
def test_the_attention_page_reads_at_a_laptops_and_a_phones_width(page, world, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, "bob")

    expect(page.locator("#today")).to_contain_text("What needs you today")
    screenshot(page, f"dashboard-today-{width}", full_page=False)
    page.click("#today-heading a")

    expect(page.locator("h1")).to_have_text("What needs attention")
    expect(page.locator("#severity-critical")).to_contain_text("Broken")
    expect(page.locator("#rule-owner_disabled")).to_contain_text("Owner disabled")
    expect(page.locator("#rule-owner_disabled")).to_contain_text("What to do")
    # Nothing sticks out sideways on a phone.
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width
    screenshot(page, f"attention-{width}")


def test_an_operator_mutes_a_finding_and_finds_it_under_muted(page, world):
    log_in(page, "bob")
    page.goto("/attention/?rule=frequent_schedule")
    finding = page.locator(".finding").first
    finding.locator("summary", has_text="Mute").click()
    finding.locator("input[name=reason]").fill("Needed every five minutes")
    finding.locator("select[name=days]").select_option("7")
    finding.locator("button", has_text="Mute").click()

    expect(page.locator(".message")).to_contain_text("Muted")
    page.goto("/attention/?show=muted")
    expect(page.locator("#rule-frequent_schedule")).to_contain_text("Unmute")


def test_the_digest_e_mail_renders_in_chromium(browser, world):
    _, _, people = world
    now = timezone.now()
    content = compose(user=people["carol"], since=now - timedelta(days=1), now=now)
    message = render(user=people["carol"], content=content, now=now)
    html = message.alternatives[0][0]
    context = browser.new_context(viewport={"width": 700, "height": 900})
    page = context.new_page()
    # As a mail client shows it: no scripts run.
    page.set_content(html)

    assert page.evaluate("document.scripts.length") == 0
    expect(page.locator("body")).to_contain_text("New since your last digest")
    expect(page.locator("body")).to_contain_text("Acme EU")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "digest-email.png", full_page=True)
    context.close()
