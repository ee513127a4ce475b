"""Headless Chromium (Debian's, never a downloaded one) driven by Playwright.

Every page a test opens is watched: a console error, an uncaught exception or
a Content-Security-Policy violation fails the test at teardown. Screenshots go
to tests/artifacts/ (git-ignored) for a person to look at.
"""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.availability import require_chromium

# Playwright's sync API runs an event loop in this thread; Django's ORM calls
# from the test body are still synchronous and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "pw-for-tests-1"

# Reports CSP violations to Python through a binding that survives navigation.
WATCH_CSP = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.reportCspViolation(
    `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} on ${e.documentURI}`
  );
});
"""


@pytest.fixture(scope="session")
def browser():
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


class Watcher:
    """What went wrong in the browser while a test ran."""

    def __init__(self):
        self.problems: list[str] = []
        self.expected: list[str] = []

    def expect(self, fragment: str) -> None:
        """Allow console errors containing `fragment` (e.g. an intended 404)."""
        self.expected.append(fragment)

    def console(self, message) -> None:
        if message.type in ("error", "warning") and not any(
            fragment in message.text for fragment in self.expected
        ):
            where = message.location.get("url", "")
            self.problems.append(f"console {message.type}: {message.text} ({where})")


@pytest.fixture
def watcher():
    return Watcher()


@contextmanager
def watched_page(browser, watcher: Watcher, base_url: str):
    """A fresh browser context (its own cookies) in Tokyo time, watched."""
    context = browser.new_context(
        base_url=base_url,
        timezone_id="Asia/Tokyo",
        viewport={"width": 1360, "height": 900},
        accept_downloads=True,
    )
    context.expose_binding(
        "reportCspViolation",
        lambda source, text: watcher.problems.append(f"CSP: {text}"),
    )
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", watcher.console)
    page.on("pageerror", lambda error: watcher.problems.append(f"page error: {error}"))
    yield page
    context.close()
    assert watcher.problems == []


@pytest.fixture
def page(browser, live_server, watcher):
    with watched_page(browser, watcher, live_server.url) as page:
        yield page


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def screenshot(
    page, name: str, *, full_page: bool = True, under: Path = ARTIFACTS
) -> Path:
    under.mkdir(parents=True, exist_ok=True)
    path = under / f"{name}.png"
    page.screenshot(path=path, full_page=full_page)
    return path


def has_pixels(canvas) -> bool:
    """True when the chart drew something: a pixel that is not transparent."""
    return canvas.evaluate(
        """(c) => {
          const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
          for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
          return false;
        }"""
    )
