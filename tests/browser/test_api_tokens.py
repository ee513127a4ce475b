"""The API tokens page in a real browser: make a token, see it once, use it,
revoke it."""

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_a_user_makes_a_token_uses_it_and_revokes_it(
    page, live_server, transactional_db
):
    make_user("alice", superuser=True)
    log_in(page, "alice")
    page.click("text=API tokens")
    page.fill("#id_name", "nightly failure report")
    page.select_option("#id_lifetime", "30")
    page.uncheck("#id_read_only")
    page.click("text=Create token")
    secret = page.locator("#new-token").inner_text()
    assert secret.startswith("aacp_")
    screenshot(page, "api-tokens")
    answer = requests.get(
        f"{live_server.url}/api/v1/workspaces/",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=5,
    )
    assert answer.status_code == 200

    page.reload()
    expect(page.locator("#new-token")).to_have_count(0)
    row = page.locator("tr", has_text="nightly failure report")
    expect(row).to_contain_text("Read and act")
    row.get_by_role("button", name="Revoke").click()
    expect(page.locator("tr", has_text="nightly failure report")).to_contain_text(
        "Revoked"
    )
    answer = requests.get(
        f"{live_server.url}/api/v1/workspaces/",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=5,
    )
    assert answer.status_code == 401
