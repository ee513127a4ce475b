"""`python -m demo.progress`: one line per workspace as its first sync ends.

The demo starts it once its services run: it watches the sync runs the demo's
set-up queued (trigger "demo") and prints, for each workspace, what the first
sync found and how long it took, or why it failed; then a last line, and it
exits. A script, never imported by the portal (see `demo/setup.py`).
"""

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aacportal.settings")
django.setup()

from schedules.models import SyncRun  # noqa: E402

POLL_SECONDS = 1.0


def main() -> None:
    waiting = set(
        SyncRun.objects.filter(
            trigger=SyncRun.Trigger.DEMO, status__in=SyncRun.ACTIVE_STATES
        ).values_list("pk", flat=True)
    )
    failed = 0
    while waiting:
        time.sleep(POLL_SECONDS)
        ended = SyncRun.objects.filter(
            pk__in=waiting, status__in=SyncRun.FINISHED_STATES
        ).select_related("workspace")
        for run in ended:
            waiting.discard(run.pk)
            failed += run.status != SyncRun.Status.SUCCEEDED
            print(f"  {describe(run)}", flush=True)
    if failed:
        print(
            "  The workspace pages say more; the worker's log has the details.",
            flush=True,
        )
    else:
        print("  Every workspace is synced: the pages are complete.", flush=True)


def describe(run: SyncRun) -> str:
    """ "Demo EU: first sync done in 12 s: 1,500 schedules, 40,961 runs, ..."."""
    name = run.workspace.name
    if run.status != SyncRun.Status.SUCCEEDED:
        return f"{name}: first sync {run.status}: {run.error_message}"
    found = ", ".join(f"{run.counts_of(kind).seen:,} {kind}" for kind in run.counts)
    seconds = run.duration.total_seconds() if run.duration else 0
    return f"{name}: first sync done in {seconds:.0f} s: {found or 'nothing'}"


if __name__ == "__main__":
    main()
