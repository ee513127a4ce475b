"""`make screenshots`: the README's pictures, taken from a fresh demo.

Starts `python -m demo` on free ports with a folder of its own
(var/screenshots/), waits for every first sync, then has headless Chromium
(Debian's, through Playwright, as the browser tests) log in as the demo's admin
and photograph the pages a new admin meets first into docs/screenshots/: the
guided first visit over the dashboard, then (the tour dismissed) the
dashboard, the attention page, a failing schedule's page (through its
finding) and the admin's page of a workspace. Run it again
whenever those pages change; the demo's data is seeded, so only what changed
on the pages changes in the pictures.
"""

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time

from playwright.sync_api import sync_playwright

from aacportal import embedded
from demo import DEMO_PASSWORD
from demo.terminal import free_port

OUT = embedded.ROOT / "docs" / "screenshots"
SYNCED = "Every workspace is synced"
FAILED = "The workspace pages say more"
START_TIMEOUT = 300.0
VIEWPORT = {"width": 1360, "height": 900}


def main() -> None:
    var = embedded.var_dir() / "screenshots"
    shutil.rmtree(var, ignore_errors=True)
    web_port, sim_port = free_port(), free_port(pair=True)
    env = {
        **os.environ,
        "AAC_VAR_DIR": str(var),
        "PORT": str(web_port),
        "AAC_SIM_PORT": str(sim_port),
    }
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "FIELD_ENCRYPTION_KEYS"):
        env.pop(name, None)  # the demo's own embedded database and broker
    demo = subprocess.Popen(
        [sys.executable, "-m", "demo"],
        cwd=embedded.ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        wait_for_line(demo, SYNCED)
        OUT.mkdir(parents=True, exist_ok=True)
        photograph(f"http://127.0.0.1:{web_port}")
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=60)
    print(f"screenshots: written to {OUT.relative_to(embedded.ROOT)}/")


def photograph(url: str) -> None:
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--headless=new", "--no-sandbox"]
        )
        page = browser.new_context(
            base_url=url, viewport=VIEWPORT, timezone_id="Europe/Paris"
        ).new_page()
        page.goto("/accounts/login/")
        page.fill("#id_username", "admin")
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{url}/")
        shoot(page, "first-visit")
        page.click("#dismiss-tour")
        page.wait_for_selector("#tour", state="detached")
        shoot(page, "dashboard")

        page.goto("/attention/")
        shoot(page, "attention")

        # A failing schedule's page, reached as an admin would: from its finding.
        page.locator("a.action[href*='/schedules/']").first.click()
        page.wait_for_url("**/schedules/*/")
        shoot(page, "schedule")

        page.goto("/admin/workspaces/workspace/")
        page.get_by_role("link", name="Demo EU", exact=True).click()
        page.wait_for_url("**/change/")
        page.click("#toggle-nav-sidebar")  # the page, not the admin's menu
        page.evaluate("window.scrollTo(0, 0)")
        shoot(page, "admin-workspace")
        browser.close()


def shoot(page, name: str) -> None:
    """The page as it first shows, once its charts have drawn."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)  # Chart.js animates its first draw
    page.screenshot(path=OUT / f"{name}.png")
    print(f"screenshots: {name}.png", flush=True)


def wait_for_line(process: subprocess.Popen, fragment: str) -> None:
    """Echo the demo's console until `fragment`; fail on a failed sync, an
    exit, or START_TIMEOUT."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_read, args=(process.stdout, lines), daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        print(line, end="", flush=True)
        if fragment in line:
            return
        if FAILED in line:
            raise SystemExit("screenshots: a sync failed; see the lines above")
    raise SystemExit(f"screenshots: the demo never said {fragment!r}")


def _read(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)


if __name__ == "__main__":
    main()
