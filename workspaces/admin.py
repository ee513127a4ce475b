"""Django admin for workspaces and memberships.

Scoped by `workspaces.access` (what the user may see; changes and actions
need what they may operate). Tokens are write-only (see `workspaces.forms`):
never rendered, never listed, never in the history's change message; the list
never even loads them, so a wrong encryption key cannot break it. The
schedules app extends this admin with its sync column and action
(`schedules.admin`), so nothing here knows about syncs.
"""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil

from workspaces import access
from workspaces.forms import TOKEN_FIELDS, WorkspaceForm
from workspaces.models import Membership, Workspace
from workspaces.queueing import QueueUnavailable, queue_token_refresh
from workspaces.services import test_connection


def badge(value: str, label: str, title: str = "") -> str:
    return format_html(
        '<span class="ws-badge ws-badge-{}" title="{}">{}</span>', value, title, label
    )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role")
    autocomplete_fields = ("user",)


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    form = WorkspaceForm
    list_display = (
        "name",
        "region",
        "aac_name",
        "state_badge",
        "access_token_expiry",
        "refresh_token_status",
    )
    list_filter = ("state", "region", "is_active")
    search_fields = ("name", "aac_name")
    actions = ("test_connection_action", "refresh_tokens_action")
    readonly_fields = (
        "state_badge",
        "state_reason",
        "state_changed_at",
        "aac_workspace_id",
        "aac_gid",
        "aac_name",
        "stored_tokens",
        "access_token_expiry",
        "refresh_token_status",
    )
    add_fieldsets = (
        (None, {"fields": ("name", "region", "is_active")}),
        (
            "Credentials",
            {
                "fields": (
                    *TOKEN_FIELDS,
                    "refresh_token_lifetime_days",
                    "client_id",
                    "api_project_id",
                )
            },
        ),
    )
    fieldsets = (
        add_fieldsets[0],
        (
            "Credentials",
            {
                "fields": (
                    "stored_tokens",
                    *TOKEN_FIELDS,
                    "refresh_token_lifetime_days",
                    "client_id",
                    "api_project_id",
                ),
                "description": "Paste a new pair to replace the stored one; "
                "leave both blank to keep it.",
            },
        ),
        (
            "Connection",
            {
                "fields": (
                    "state_badge",
                    "state_reason",
                    "state_changed_at",
                    "aac_name",
                    "aac_workspace_id",
                    "aac_gid",
                    "access_token_expiry",
                    "refresh_token_status",
                )
            },
        ),
    )

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request):
        return access.visible_workspaces(
            request.user, among=super().get_queryset(request)
        )

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_inlines(self, request, obj):
        # Memberships decide who sees what: only superusers grant them.
        return [MembershipInline] if request.user.is_superuser else []

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or access.may_operate(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or access.may_operate(request.user, obj)
        )

    def save_model(self, request, obj, form, change):
        form.save()
        if form.pasted_opaque_token:
            self.message_user(
                request,
                f"{obj}: the access token is not a JWT; it was accepted as opaque, "
                "its expiry is unknown and it will be refreshed on first use.",
                messages.WARNING,
            )

    def construct_change_message(self, request, form, formsets, add=False):
        """Say that tokens changed, never name or quote them."""
        message = super().construct_change_message(request, form, formsets, add)
        token_labels = {str(form.fields[name].label) for name in TOKEN_FIELDS}
        for entry in message:
            changed = entry.get("changed", {})
            if "name" in changed or "fields" not in changed:
                continue  # an inline's entry, or none of the form's fields
            fields = [field for field in changed["fields"] if field not in token_labels]
            if len(fields) < len(changed["fields"]):
                fields.append("tokens (new pair pasted)")
            changed["fields"] = fields
        return message

    @admin.display(description="State", ordering="state")
    def state_badge(self, obj):
        return badge(obj.state, obj.get_state_display(), obj.state_reason)

    @admin.display(description="Stored tokens")
    def stored_tokens(self, obj):
        if obj.refresh_token_issued_at is None:
            return "None stored"
        return f"A pair pasted {timesince(obj.refresh_token_issued_at)} ago"

    @admin.display(
        description="Access token expires", ordering="access_token_expires_at"
    )
    def access_token_expiry(self, obj):
        expires_at = obj.access_token_expires_at
        if obj.refresh_token_issued_at is None:
            return "-"
        if expires_at is None:
            return "unknown (refreshed on first use)"
        if expires_at <= timezone.now():
            return format_html('<span class="ws-muted">expired</span>')
        return f"in {timeuntil(expires_at)}"

    @admin.display(description="Refresh token")
    def refresh_token_status(self, obj):
        issued_at = obj.refresh_token_issued_at
        if issued_at is None:
            return "-"
        age = f"pasted {timesince(issued_at)} ago"
        expires_at = obj.refresh_token_expires_at
        if expires_at is None:
            return f"{age}; lifetime not given"
        now = timezone.now()
        if expires_at <= now:
            return format_html('{}; <span class="ws-warn">expired</span>', age)
        left = f"expires in {timeuntil(expires_at, now)}"
        if obj.refresh_token_expires_soon(now):
            return format_html('{}; <span class="ws-warn">{}</span>', age, left)
        return f"{age}; {left}"

    @admin.action(description="Test connection", permissions=["change"])
    def test_connection_action(self, request, queryset):
        for workspace in self.operable_only(request, queryset):
            result = test_connection(workspace)
            level = messages.SUCCESS if result["ok"] else messages.ERROR
            self.message_user(request, f"{workspace}: {result['message']}", level)

    @admin.action(description="Refresh tokens now", permissions=["change"])
    def refresh_tokens_action(self, request, queryset):
        queued = []
        for workspace in self.operable_only(request, queryset):
            if workspace.state == Workspace.State.NEEDS_REAUTH:
                self.message_user(
                    request,
                    f"{workspace}: not queued, it needs re-authorisation: "
                    f"{workspace.state_reason}",
                    messages.WARNING,
                )
                continue
            try:
                queue_token_refresh(workspace)
            except QueueUnavailable as exc:
                self.message_user(
                    request, f"Nothing queued: {exc.message}.", messages.ERROR
                )
                return
            queued.append(workspace.name)
        if queued:
            self.message_user(
                request,
                f"Token refresh queued for {', '.join(queued)}; the state column "
                "shows the outcome.",
                messages.SUCCESS,
            )

    def operable_only(self, request, queryset) -> list[Workspace]:
        """The selected workspaces the user operates; says which ones were left out."""
        operable, view_only = access.split_operable(request.user, queryset)
        for workspace in view_only:
            self.message_user(
                request, f"{workspace}: you may only view it.", messages.WARNING
            )
        return operable


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "workspace", "role")
    list_filter = ("role", ("workspace", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("user", "workspace")
    search_fields = ("user__username", "workspace__name")
    autocomplete_fields = ("user",)

    def get_queryset(self, request):
        return access.scope(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "workspace":
            kwargs["queryset"] = access.visible_workspaces(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # Memberships decide who sees what: only superusers change them.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
