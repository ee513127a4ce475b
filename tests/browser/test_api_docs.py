"""The API's docs page in a real browser: Swagger UI from the project's static
files draws every operation, within the Content-Security-Policy (the watcher
fails the test on any violation or console error)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_the_docs_page_draws_the_schema_within_the_csp(page, transactional_db):
    make_user("alice", superuser=True)
    log_in(page, "alice")
    page.goto("/api/docs/")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/schedules/" in [p.replace("\u200b", "") for p in paths]
    screenshot(page, "api-docs", full_page=False)
