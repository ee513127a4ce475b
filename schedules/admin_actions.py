"""The "Re-sync now" action of the workspace admin (added to its `actions`)."""

from django.contrib import admin, messages

from schedules.models import SyncRun
from schedules.queueing import QueueError, queue_sync


@admin.action(description="Re-sync now", permissions=["change"])
def resync_now(modeladmin, request, queryset):
    """Queue a sync of each selected workspace the user may operate."""
    operable = list(queryset.operable_by(request.user).distinct())
    if len(operable) < queryset.count():
        modeladmin.message_user(
            request,
            "Workspaces you may only view were not queued.",
            messages.WARNING,
        )
    queued, refused = 0, []
    for workspace in operable:
        try:
            queue_sync(workspace=workspace, trigger=SyncRun.Trigger.ADMIN)
        except QueueError as exc:
            if exc.unavailable:
                modeladmin.message_user(
                    request, f"Stopped: {exc.message}.", messages.ERROR
                )
                break
            refused.append(exc.message)
        else:
            queued += 1
    if queued:
        modeladmin.message_user(request, f"Queued {queued} sync(s).", messages.SUCCESS)
    for reason in refused:
        modeladmin.message_user(request, f"Not queued: {reason}.", messages.WARNING)
