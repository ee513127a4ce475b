"""The activity log in the admin: read-only, for superusers.

Its rows name workspaces by id, without a foreign key, so the admin cannot
scope them by membership; the portal's /activity/ page shows each user the
rows of the workspaces they may see.
"""

from django.contrib import admin

from activity.models import Entry


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = (
        "at",
        "username",
        "workspace_name",
        "action",
        "target_name",
        "outcome",
        "message",
        "aac_request_id",
        "aac_execution_id",
    )
    list_filter = ("action", "outcome")
    search_fields = ("username", "workspace_name", "target_name", "message")
    date_hierarchy = "at"

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
