"""What the demo shows of acting from the portal: a finished bulk change with a
partial result, a maintenance window under way and one to come, a run pressed
moments before the web server starts, and the activity log all of it wrote.

Imported by `demo.setup` after Django is set up. Done once per demo database:
a rerun finds the windows and leaves everything as it is.
"""

from datetime import timedelta

from django.utils import timezone

from actions.bulk import create_bulk_change, run_bulk_change
from actions.models import Change, Window
from actions.runs import new_execution_id, request_run, target_of_schedule
from actions.windows import advance_windows, create_window
from schedules.models import Schedule, SyncRun
from schedules.sync.engine import sync_workspace
from workspaces.models import Workspace


def show_actions(workspace: Workspace, actor) -> None:
    """Sync `workspace` here and now, then act on it as `actor`."""
    if Window.objects.exists():
        return
    sync_workspace(SyncRun.objects.create(workspace=workspace, trigger="demo"))
    people = set(workspace.connections.values_list("aac_person_id", flat=True))
    enabled = Schedule.objects.filter(workspace=workspace, enabled=True).order_by(
        "aac_id"
    )
    own = list(enabled.filter(owner_id__in=people)[:15])
    others = list(enabled.exclude(owner_id__in=people).exclude(owner_id="")[:1])

    change = create_bulk_change(
        actor=actor,
        action=Change.DISABLE,
        schedules=Schedule.objects.filter(pk__in=[s.pk for s in own[:2] + others]),
        reason="Demo: their owner is on leave",
        chosen="3 ticked rows",
    )
    run_bulk_change(change.pk)
    print(f"demo: {change}: {change.items.count()} schedules changed", flush=True)

    now = timezone.now()
    create_window(
        actor=actor,
        schedules=Schedule.objects.filter(pk__in=[s.pk for s in own[2:5]]),
        reason="Demo: warehouse upgrade",
        chosen="3 ticked rows",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=3),
    )
    advance_windows()
    tomorrow = (now + timedelta(days=1)).replace(hour=22, minute=0, second=0)
    create_window(
        actor=actor,
        schedules=Schedule.objects.filter(pk__in=[s.pk for s in own[5:15]]),
        reason="Demo: database maintenance",
        chosen=f"{len(own[5:15])} ticked rows",
        starts_at=tomorrow,
        ends_at=tomorrow + timedelta(hours=4),
    )

    runnable = enabled.filter(task_kind__in=("plan", "flow", "workflow"))
    for schedule in runnable.select_related("workspace")[:20]:
        target = target_of_schedule(schedule)
        if not target.refusal:
            request_run(actor=actor, target=target, execution_id=new_execution_id())
            print(f"demo: Run now pressed for {target.name}", flush=True)
            break
