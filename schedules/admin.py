"""Django admin for the cache: people, schedules, plans, flows, workflows, their
runs and the sync runs, read-only and scoped.

The lists show only the workspaces `workspaces.access` lets the user see,
load each row's workspace in the same query, and allow no change: rows are
written by `schedules.sync` alone. Their workspace filter offers the
workspaces the user sees, not those the rows name: finding those would read
every row of a table of a million schedules or two million runs on each load,
and so would the total above the list, which they leave out.

The workspace admin gains its sync parts here (its health, the last sync,
its change page's buttons, "Re-sync now", the first sync of a new
workspace), and the connection admin its removal (the rows only that
connection listed go with it) and the sync through a new pair, so
`workspaces` needs no import of this app.
"""

import json

from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil
from django.views.decorators.http import require_POST

from activity.log import record
from activity.models import Action, Outcome
from schedules.assets.models import Flow, Plan, Run, Workflow
from schedules.connections import remove_connection
from schedules.health import (
    SyncFacts,
    health,
    next_automatic_sync,
    sync_facts,
    with_sync_runs,
)
from schedules.models import Person, Schedule, SyncRun
from schedules.queueing import QueueError, queue_sync, welcome_connection
from workspaces import access
from workspaces.admin import (
    ConnectionAdmin,
    ReadOnlyAdmin,
    WorkspaceAdmin,
    action_answer,
    badge,
)
from workspaces.models import Connection, ConnectionTask, Workspace
from workspaces.standing import standing


class WorkspaceFilter(admin.SimpleListFilter):
    """The rows of one workspace, chosen among those the user sees."""

    title = "workspace"
    parameter_name = "workspace"

    def lookups(self, request, model_admin):
        visible = access.visible_workspaces(request.user).order_by("name")
        return list(visible.values_list("pk", "name"))

    def queryset(self, request, queryset):
        # A pk from `lookups` when the admin counts facets, else the text sent:
        # ASCII digits that fit a database integer, or no workspace's.
        value = self.value()
        if value is None:
            return queryset
        value = str(value)
        if not (value.isascii() and value.isdigit() and len(value) < 19):
            return queryset.none()
        return queryset.filter(workspace_id=int(value))


class ReadOnlyScopedAdmin(ReadOnlyAdmin):
    list_select_related = ("workspace",)
    show_full_result_count = False

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
        WorkspaceFilter,
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
    list_filter = (WorkspaceFilter, "disabled")
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
        WorkspaceFilter,
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


class AssetAdmin(ReadOnlyScopedAdmin):
    list_display = (
        "name",
        "workspace",
        "aac_id",
        "last_run_at",
        "last_run_status",
        "failure_streak",
        "aac_updated_at",
    )
    list_filter = (WorkspaceFilter, "last_run_status")
    search_fields = ("name", "aac_id")
    exclude = ("raw",)


admin.site.register([Plan, Flow, Workflow], AssetAdmin)


@admin.register(Run)
class RunAdmin(ReadOnlyScopedAdmin):
    list_display = (
        "aac_created_at",
        "workspace",
        "asset_kind",
        "asset_name",
        "status",
        "ranfrom",
        "duration_seconds",
        "error_message",
    )
    list_filter = (WorkspaceFilter, "status", "asset_kind", "ranfrom")
    search_fields = ("asset_name", "aac_id")
    exclude = ("raw",)


class WorkspaceWithSyncAdmin(WorkspaceAdmin):
    """The workspace admin, with each workspace's health (its syncs included),
    its last sync, and on its change page the buttons: test its connections,
    refresh their tokens, re-sync. Saving a new workspace tests its connection
    and queues its first sync."""

    list_display = (*WorkspaceAdmin.list_display, "last_sync")
    actions = (*WorkspaceAdmin.actions, "resync_now")
    change_form_template = "admin/workspaces/workspace/change_form.html"

    def get_queryset(self, request):
        latest = (
            SyncRun.objects.filter(workspace=OuterRef("pk"))
            .order_by("-queued_at", "-id")
            .annotate(at=Coalesce("finished_at", "started_at", "queued_at"))
        )
        return with_sync_runs(
            super()
            .get_queryset(request)
            .annotate(
                last_sync_status=Subquery(latest.values("status")[:1]),
                last_sync_at=Subquery(latest.values("at")[:1]),
            )
        )

    def get_changelist_instance(self, request):
        """The list, each row's sync facts loaded in one query for the page."""
        changelist = super().get_changelist_instance(request)
        facts = sync_facts(changelist.result_list)
        for workspace in changelist.result_list:
            workspace.sync_facts = facts[workspace.pk]
        return changelist

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return (*fieldsets, ("Sync", {"fields": SYNC_FIELDS}))

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *SYNC_FIELDS)

    def get_urls(self):
        def button(view, name):
            return path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(require_POST(view)),
                name=f"workspaces_workspace_{name}",
            )

        return [
            button(self.test_view, "test"),
            button(self.refresh_view, "refresh"),
            button(self.resync_view, "resync"),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            return
        for connection in obj.connections.all():
            welcome = welcome_connection(
                connection, trigger=SyncRun.Trigger.ADMIN, requested_by=request.user
            )
            level = messages.SUCCESS if welcome.ok else messages.WARNING
            self.message_user(request, welcome.message, level)

    def response_add(self, request, obj, post_url_continue=None):
        """A new workspace opens on its change page: its state and buttons."""
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" in request.POST or IS_POPUP_VAR in request.POST:
            return response
        return redirect("admin:workspaces_workspace_change", obj.pk)

    def _facts(self, obj) -> SyncFacts:
        facts = getattr(obj, "sync_facts", None)
        return facts if facts is not None else sync_facts([obj])[obj.pk]

    @admin.display(description="State")
    def state_badge(self, obj):
        state = health(
            standing(obj.connections.all()), self._facts(obj), now=timezone.now()
        )
        return format_html(
            "{} {}", badge(state.tone, state.label, state.reason), state.reason
        )

    @admin.display(description="Data as of")
    def data_as_of(self, obj):
        success = self._facts(obj).last_success
        if success is None:
            return "never synced"
        return _at(success.finished_at)

    @admin.display(description="Next automatic sync")
    def next_sync(self, obj):
        at = next_automatic_sync(obj, self._facts(obj), now=timezone.now())
        if at is None:
            return "none: inactive" if not obj.is_active else "at beat's next round"
        return _at(at)

    @admin.display(description="Latest sync")
    def latest_sync(self, obj):
        run = self._facts(obj).latest
        if run is None:
            return "none yet"
        reason = run.error_message or run.error_kind
        return format_html(
            "{} {}{}",
            badge(run.status, run.get_status_display(), reason),
            _at(run.finished_at or run.started_at or run.queued_at),
            f": {reason}" if reason else "",
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

    def _operable(self, request, object_id) -> Workspace | None:
        workspace = self.get_object(request, object_id)
        if workspace is not None and not access.may_operate(request.user, workspace):
            raise PermissionDenied("You may only view this workspace")
        return workspace

    def _back(self, request, object_id, workspace):
        if workspace is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return redirect("admin:workspaces_workspace_change", workspace.pk)

    def test_view(self, request, object_id):
        workspace = self._operable(request, object_id)
        if workspace is not None:
            action_answer(
                self, request, workspace.connections.all(), ConnectionTask.Action.TEST
            )
        return self._back(request, object_id, workspace)

    def refresh_view(self, request, object_id):
        workspace = self._operable(request, object_id)
        if workspace is not None:
            action_answer(
                self,
                request,
                workspace.connections.all(),
                ConnectionTask.Action.REFRESH,
            )
        return self._back(request, object_id, workspace)

    def resync_view(self, request, object_id):
        workspace = self._operable(request, object_id)
        if workspace is not None:
            self._resync(request, [workspace])
        return self._back(request, object_id, workspace)

    @admin.action(description="Re-sync now", permissions=["change"])
    def resync_now(self, request, queryset):
        """Queue a sync of each selected workspace the user may operate."""
        self._resync(request, self.operable_only(request, queryset))

    def _resync(self, request, workspaces) -> None:
        queued, refused = 0, []
        for workspace in workspaces:
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


# The change page's "Sync" fieldset.
SYNC_FIELDS = ("data_as_of", "next_sync", "latest_sync")


def _at(value) -> str:
    """A time in the admin: the viewer's zone, and how long ago or ahead."""
    if value is None:
        return "-"
    now = timezone.now()
    local = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if value <= now:
        return f"{local} ({timesince(value, now)} ago)"
    return f"{local} (in {timeuntil(value, now)})"


class ConnectionWithCacheAdmin(ConnectionAdmin):
    """The connection admin; removing a connection removes the rows only it
    listed, and a new connection (or a new pair pasted) is tested and its
    workspace synced through it."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and not form.pasted:
            return
        welcome = welcome_connection(
            obj, trigger=SyncRun.Trigger.ADMIN, requested_by=request.user
        )
        level = messages.SUCCESS if welcome.ok else messages.WARNING
        self.message_user(request, welcome.message, level)

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
