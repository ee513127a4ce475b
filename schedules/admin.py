"""Django admin for the cache: people, schedules and sync runs, read-only and scoped.

The lists show only the workspaces `workspaces.access` lets the user see,
load each row's workspace in the same query, and allow no change: rows are
written by `schedules.sync` alone. The workspace admin gains its sync parts
here (the last sync, "Re-sync now"), and the connection admin its
removal (the rows only that connection listed go with it), so `workspaces`
needs no import of this app.
"""

import json

from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.timesince import timesince

from activity.log import record
from activity.models import Action, Outcome
from schedules.connections import remove_connection
from schedules.models import Person, Schedule, SyncRun
from schedules.queueing import QueueError, queue_sync
from workspaces import access
from workspaces.admin import ConnectionAdmin, ReadOnlyAdmin, WorkspaceAdmin, badge
from workspaces.models import Connection, Workspace


class ReadOnlyScopedAdmin(ReadOnlyAdmin):
    list_select_related = ("workspace",)

    def get_queryset(self, request):
        return access.scope(super().get_queryset(request), request.user)


@admin.register(Schedule)
class ScheduleAdmin(ReadOnlyScopedAdmin):
    list_display = (
        "name",
        "workspace",
        "enabled",
        "description",
        "next_run_at",
        "task_kind",
        "target_name",
        "owner_name",
        "owner_disabled",
    )
    list_filter = (
        ("workspace", admin.RelatedOnlyFieldListFilter),
        "task_kind",
        "trigger_kind",
        "enabled",
        "owner_disabled",
    )
    search_fields = (
        "name",
        "target_name",
        "target_id",
        "owner_name",
        "owner_email",
    )
    exclude = ("raw",)
    readonly_fields = ("raw_json",)

    @admin.display(description="Raw JSON, as AAC sent it")
    def raw_json(self, obj):
        return format_html(
            "<pre>{}</pre>", json.dumps(obj.raw, indent=2, ensure_ascii=False)
        )


@admin.register(Person)
class PersonAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "email", "workspace", "disabled", "state", "last_login_at")
    list_filter = (("workspace", admin.RelatedOnlyFieldListFilter), "disabled")
    search_fields = ("name", "email", "aac_id")
    exclude = ("raw",)


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyScopedAdmin):
    list_display = (
        "queued_at",
        "workspace",
        "trigger",
        "requested_by",
        "status",
        "duration",
        "pages_fetched",
        "found",
        "error_kind",
    )
    list_filter = (
        ("workspace", admin.RelatedOnlyFieldListFilter),
        "status",
        "trigger",
        "error_kind",
    )
    list_select_related = ("workspace", "requested_by")
    search_fields = ("error_message", "aac_request_id", "requested_by__username")
    date_hierarchy = "queued_at"

    @admin.display(description="Found")
    def found(self, obj):
        return obj.found


class WorkspaceWithSyncAdmin(WorkspaceAdmin):
    """The workspace admin, with each workspace's last sync and "Re-sync now"."""

    list_display = (*WorkspaceAdmin.list_display, "last_sync")
    actions = (*WorkspaceAdmin.actions, "resync_now")

    def get_queryset(self, request):
        latest = (
            SyncRun.objects.filter(workspace=OuterRef("pk"))
            .order_by("-queued_at", "-id")
            .annotate(at=Coalesce("finished_at", "started_at", "queued_at"))
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                last_sync_status=Subquery(latest.values("status")[:1]),
                last_sync_at=Subquery(latest.values("at")[:1]),
            )
        )

    @admin.display(description="Last sync", ordering="last_sync_at")
    def last_sync(self, obj):
        status = getattr(obj, "last_sync_status", None)
        if status is None:
            return "never"
        label = SyncRun.Status(status).label
        return format_html(
            "{} {} ago", badge(status, label), timesince(obj.last_sync_at)
        )

    @admin.action(description="Re-sync now", permissions=["change"])
    def resync_now(self, request, queryset):
        """Queue a sync of each selected workspace the user may operate."""
        queued, refused = 0, []
        for workspace in self.operable_only(request, queryset):
            try:
                queue_sync(
                    workspace=workspace,
                    trigger=SyncRun.Trigger.ADMIN,
                    requested_by=request.user,
                )
            except QueueError as exc:
                _record_resync(request, workspace, Outcome.REFUSED, exc.message)
                if exc.unavailable:
                    self.message_user(
                        request, f"Stopped: {exc.message}.", messages.ERROR
                    )
                    break
                refused.append(exc.message)
            else:
                _record_resync(request, workspace, Outcome.QUEUED, "From the admin.")
                queued += 1
        if queued:
            self.message_user(request, f"Queued {queued} sync(s).", messages.SUCCESS)
        for reason in refused:
            self.message_user(request, f"Not queued: {reason}.", messages.WARNING)


class ConnectionWithCacheAdmin(ConnectionAdmin):
    """The connection admin; removing a connection removes the rows only it listed."""

    def delete_model(self, request, obj):
        _remove(request, obj)

    def delete_queryset(self, request, queryset):
        for connection in queryset:
            _remove(request, connection)


def _remove(request, connection: Connection) -> None:
    removed = remove_connection(connection)
    record(
        Action.CONNECTION_REMOVED,
        outcome=Outcome.SUCCEEDED,
        user=request.user,
        workspace=connection.workspace,
        target_kind="connection",
        target_id=connection.pk,
        target_name=connection.person,
        message=f"In the admin; {removed.deleted.get('schedules', 0):,} schedules "
        "only it listed are gone.",
    )


def _record_resync(request, workspace: Workspace, outcome: str, message: str) -> None:
    record(
        Action.RESYNC,
        outcome=outcome,
        user=request.user,
        workspace=workspace,
        target_kind="workspace",
        target_id=workspace.pk,
        target_name=workspace.name,
        message=message,
    )


admin.site.unregister(Workspace)
admin.site.register(Workspace, WorkspaceWithSyncAdmin)
admin.site.unregister(Connection)
admin.site.register(Connection, ConnectionWithCacheAdmin)
