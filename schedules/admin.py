"""Django admin for the cache: schedules and sync runs, read-only and scoped.

Both lists show only the workspaces `Workspace.objects.visible_to` the user,
load each row's workspace in the same query, and allow no change: rows are
written by `schedules.sync` alone.
"""

import json

from django.contrib import admin
from django.utils.html import format_html

from schedules.models import Schedule, SyncRun
from workspaces.models import Workspace


class ReadOnlyScopedAdmin(admin.ModelAdmin):
    list_select_related = ("workspace",)

    def get_queryset(self, request):
        visible = Workspace.objects.visible_to(request.user)
        return super().get_queryset(request).filter(workspace__in=visible)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyScopedAdmin):
    list_display = (
        "queued_at",
        "workspace",
        "trigger",
        "status",
        "duration",
        "pages_fetched",
        "created",
        "updated",
        "unchanged",
        "deleted",
        "unparsed",
        "error_kind",
    )
    list_filter = (
        ("workspace", admin.RelatedOnlyFieldListFilter),
        "status",
        "trigger",
        "error_kind",
    )
    search_fields = ("error_message", "aac_request_id")
    date_hierarchy = "queued_at"
