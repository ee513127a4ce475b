"""`python -m demo.progress SINCE`: one line per workspace as its first sync ends.

The demo starts it once its services run, with the time its set-up began: it
watches the sync runs that set-up queued (trigger "demo") and prints, for each
workspace, what the first sync found, how long it took and how much of the
workspace the portal sees (`schedules/coverage.py`), or why it failed; then a
last line, and it exits. A script, never imported by the portal (see
`demo/setup.py`).
"""

import os
import sys
import time
from datetime import UTC, datetime

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aacportal.settings")
django.setup()

from schedules.coverage import coverage_of  # noqa: E402
from schedules.models import SyncRun  # noqa: E402

POLL_SECONDS = 1.0
# What a newcomer counts first; the workspace's page has the rest.
SHOWN_KINDS = ("schedules", "runs")


def main(since: datetime) -> None:
    """Follow the runs the demo's set-up queued from `since` on (some may have
    ended already)."""
    waiting = set(latest_run_of_each_workspace(since).values())
    if not waiting:
        print(
            "  None queued: the set-up log says why. A sync cut short by the last "
            "stop stays 'running' until it is expired (two minutes); then press "
            "Re-sync all on the dashboard.",
            flush=True,
        )
        return
    failed = 0
    while waiting:
        ended = SyncRun.objects.filter(
            pk__in=waiting, status__in=SyncRun.FINISHED_STATES
        ).select_related("workspace")
        for run in ended:
            waiting.discard(run.pk)
            failed += run.status != SyncRun.Status.SUCCEEDED
            print(f"  {describe(run)}", flush=True)
        if waiting:
            time.sleep(POLL_SECONDS)
    if failed:
        print(
            "  The workspace pages say more; the worker's log has the details.",
            flush=True,
        )
    else:
        print("  Every workspace is synced: the pages are complete.", flush=True)


def latest_run_of_each_workspace(since: datetime) -> dict[int, int]:
    """Workspace id -> its last demo run since `since`: set-up may have synced
    a workspace in place (`demo/actions.py`) before queueing its sync."""
    runs = SyncRun.objects.filter(trigger=SyncRun.Trigger.DEMO, queued_at__gte=since)
    return dict(runs.order_by("pk").values_list("workspace_id", "pk"))


def describe(run: SyncRun) -> str:
    """ "Demo EU: synced in 12 s: 1,500 schedules, 40,961 runs. Complete: ..."."""
    name = run.workspace.name
    if run.status != SyncRun.Status.SUCCEEDED:
        return f"{name}: first sync {run.status}: {run.error_message}"
    found = ", ".join(
        f"{run.counts_of(kind).seen:,} {kind}"
        for kind in SHOWN_KINDS
        if kind in run.counts
    )
    seconds = run.duration.total_seconds() if run.duration else 0
    coverage = coverage_of([run.workspace])[run.workspace.pk]
    return f"{name}: synced in {seconds:.0f} s: {found}. {coverage.summary}"


if __name__ == "__main__":
    main(datetime.fromtimestamp(float(sys.argv[1]), tz=UTC))
