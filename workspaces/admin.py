"""Django admin for workspaces, their connections and memberships.

Scoped by `workspaces.access` (what the user may see; changes and actions
need what they may operate). Tokens are write-only (see `workspaces.forms`):
never rendered, never listed, never in the history's change message; no page
loads them (the connection manager defers them), so a wrong encryption key
breaks nothing here but token use, and the page where a new pair is pasted
always opens (docs/reliability.md rule 12). "Test connection" and "Refresh
tokens now" queue tasks and answer at once (rule 14). The schedules app
extends these admins with the sync's parts (`schedules.admin`), so nothing here
knows about syncs or the cache.
"""

from django.contrib import admin, messages
from django.db import router
from django.db.models import OuterRef, Subquery
from django.db.models.deletion import Collector
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince, timeuntil
from django.views.decorators.debug import sensitive_post_parameters

from activity.log import record
from activity.models import Action, Outcome
from workspaces import access
from workspaces.forms import (
    TOKEN_FIELDS,
    ConnectionForm,
    NewWorkspaceForm,
    WorkspaceForm,
)
from workspaces.models import Connection, ConnectionTask, Membership, Workspace
from workspaces.queueing import NotQueued, QueueUnavailable, queue_connection_task
from workspaces.standing import standing
from workspaces.tokens.rows import readable

UNREADABLE = (
    "cannot be read with FIELD_ENCRYPTION_KEYS (a configuration fault: the key "
    "that encrypted them is not configured); configure it, or paste a new pair"
)


def badge(value: str, label: str, title: str = "") -> str:
    return format_html(
        '<span class="ws-badge ws-badge-{}" title="{}">{}</span>', value, title, label
    )


def counted_deletion(objs, request):
    """What deleting `objs` takes with it, counted rather than listed.

    A synced workspace holds thousands of cached rows; listing each would
    make the confirmation page unusable. The rows it takes (connections,
    their tasks, the cache, its history) belong to the workspace: they need
    no delete permission of their own, only the workspace's.
    """
    collector = Collector(using=router.db_for_write(Workspace))
    collector.collect(objs)
    counts: dict[str, int] = {}
    for model, instances in collector.data.items():
        name = str(model._meta.verbose_name_plural)
        counts[name] = counts.get(name, 0) + len(instances)
    for queryset in collector.fast_deletes:
        name = str(queryset.model._meta.verbose_name_plural)
        counts[name] = counts.get(name, 0) + queryset.count()
    counts = {name: n for name, n in counts.items() if n}
    deleted = [str(obj) for obj in objs]
    deleted += [f"{n:,} {name}" for name, n in counts.items()]
    return deleted, counts, set(), []


PRESSES = {
    ConnectionTask.Action.TEST: Action.TEST_CONNECTION,
    ConnectionTask.Action.REFRESH: Action.REFRESH_TOKENS,
}


def action_answer(admin_view, request, connections, action: str) -> None:
    """Queue `action` for each connection and say what happened to each."""
    for connection in connections:
        try:
            task = queue_connection_task(connection, action, requested_by=request.user)
        except NotQueued as exc:
            _record_press(request, connection, action, Outcome.REFUSED, exc.message)
            admin_view.message_user(
                request, f"{connection}: {exc.message}", messages.WARNING
            )
        except QueueUnavailable as exc:
            _record_press(request, connection, action, Outcome.REFUSED, exc.message)
            admin_view.message_user(
                request, f"Nothing more queued: {exc.message}.", messages.ERROR
            )
            return
        else:
            _record_press(
                request, connection, action, Outcome.QUEUED, f"Task {task.pk}, admin."
            )
            admin_view.message_user(
                request,
                f"{connection}: {ConnectionTask.Action(action).label} queued; the "
                "connection's “Last check” shows its progress and outcome.",
                messages.SUCCESS,
            )


def _record_press(request, connection, action: str, outcome: str, message: str):
    record(
        PRESSES[action],
        outcome=outcome,
        user=request.user,
        workspace=connection.workspace,
        target_kind="connection",
        target_id=connection.pk,
        target_name=connection.person,
        message=message,
    )


def record_change(request, action: str, workspace: Workspace, target, message=""):
    """An admin's change of a workspace, connection or membership, in the log."""
    record(
        action,
        outcome=Outcome.SUCCEEDED,
        user=request.user,
        workspace=workspace,
        target_kind=target._meta.model_name,
        target_id=target.pk,
        target_name=str(target),
        message=message or "In the admin.",
    )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role")
    autocomplete_fields = ("user",)


class ConnectionInline(admin.TabularInline):
    """A workspace's connections, read-only: each opens its own page."""

    model = Connection
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("person", "state_badge", "stored_tokens", "added_by", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    # The connection's own state (its tokens), not the workspace's: that is
    # the page's "State", which its syncs decide too.
    @admin.display(description="Tokens")
    def state_badge(self, obj):
        return badge(obj.state, obj.get_state_display(), obj.state_reason)

    @admin.display(description="Stored tokens")
    def stored_tokens(self, obj):
        return stored_tokens(obj)


def stored_tokens(connection: Connection) -> str:
    if connection.refresh_token_issued_at is None:
        return "None stored"
    if not readable(connection):
        return format_html('<span class="ws-warn">{}</span>', UNREADABLE)
    return f"A pair pasted {timesince(connection.refresh_token_issued_at)} ago"


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    form = WorkspaceForm
    add_form = NewWorkspaceForm
    list_display = ("name", "region", "aac_name", "state_badge", "connection_count")
    list_filter = ("region", "is_active")
    search_fields = ("name", "aac_name")
    actions = ("test_connections_action",)
    readonly_fields = (
        "state_badge",
        "aac_workspace_id",
        "aac_gid",
        "aac_name",
        "add_connection",
    )
    add_fieldsets = (
        (None, {"fields": ("name", "region", "is_active", "api_project_id")}),
        (
            "First connection",
            {
                "fields": (*TOKEN_FIELDS, "refresh_token_lifetime_days", "client_id"),
                "description": "One AAC user's token pair. Add more people's pairs "
                "later on the connections' page: AAC lists each user's own "
                "schedules.",
            },
        ),
    )
    fieldsets = (
        (None, {"fields": ("name", "region", "is_active", "api_project_id")}),
        (
            "AAC",
            {
                "fields": (
                    "state_badge",
                    "aac_name",
                    "aac_workspace_id",
                    "aac_gid",
                    "add_connection",
                )
            },
        ),
    )

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("connections")
        return access.visible_workspaces(request.user, among=queryset)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        form = super().get_form(request, obj, change=change, **kwargs)
        form.added_by = request.user
        return form

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        # Memberships decide who sees what: only superusers grant them.
        return (
            [ConnectionInline, MembershipInline]
            if request.user.is_superuser
            else [ConnectionInline]
        )

    @method_decorator(sensitive_post_parameters(*TOKEN_FIELDS))
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or access.may_operate(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or access.may_operate(request.user, obj)
        )

    def get_deleted_objects(self, objs, request):
        return counted_deletion(objs, request)

    def save_model(self, request, obj, form, change):
        form.save()
        if not change:
            record_change(request, Action.WORKSPACE_CREATED, obj, obj)
        if getattr(form, "pasted_opaque_token", False):
            self.message_user(
                request,
                f"{obj}: the access token is not a JWT; it was accepted as opaque, "
                "its expiry is unknown and it will be refreshed on first use.",
                messages.WARNING,
            )
        if change and form.region_changed:
            self.message_user(
                request,
                f"{obj}: the region changed, so every connection's tokens were "
                "wiped (they were issued for the old region). Paste a new pair into "
                "each connection.",
                messages.WARNING,
            )

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is not Membership:
            return
        for membership in formset.new_objects:
            record_change(
                request,
                Action.MEMBERSHIP_CHANGED,
                form.instance,
                membership,
                "Added in the admin.",
            )
        for membership, fields in formset.changed_objects:
            record_change(
                request,
                Action.MEMBERSHIP_CHANGED,
                form.instance,
                membership,
                f"Changed {', '.join(fields)} in the admin.",
            )
        for membership in formset.deleted_objects:
            record_change(
                request,
                Action.MEMBERSHIP_CHANGED,
                form.instance,
                membership,
                "Removed in the admin.",
            )

    def delete_model(self, request, obj):
        record_change(request, Action.WORKSPACE_DELETED, obj, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for workspace in queryset:
            record_change(request, Action.WORKSPACE_DELETED, workspace, workspace)
        super().delete_queryset(request, queryset)

    def construct_change_message(self, request, form, formsets, add=False):
        """Say that tokens were pasted, never name or quote them."""
        message = super().construct_change_message(request, form, formsets, add)
        return _without_token_fields(message, form)

    @admin.display(description="State")
    def state_badge(self, obj):
        state = standing(obj.connections.all())
        return badge(state.state, state.label, state.reason)

    @admin.display(description="Another person's pair")
    def add_connection(self, obj):
        url = reverse("admin:workspaces_connection_add")
        return format_html(
            '<a href="{}?workspace={}">Add a connection</a>', url, obj.pk
        )

    @admin.display(description="Connections")
    def connection_count(self, obj):
        return len(obj.connections.all())

    @admin.action(description="Test connections", permissions=["change"])
    def test_connections_action(self, request, queryset):
        connections = [
            connection
            for workspace in self.operable_only(request, queryset)
            for connection in workspace.connections.all()
        ]
        action_answer(self, request, connections, ConnectionTask.Action.TEST)

    def operable_only(self, request, queryset) -> list[Workspace]:
        """The selected workspaces the user operates; says which ones were left out."""
        operable, view_only = access.split_operable(request.user, queryset)
        for workspace in view_only:
            self.message_user(
                request, f"{workspace}: you may only view it.", messages.WARNING
            )
        return operable


def _without_token_fields(message: list, form) -> list:
    token_labels = {
        str(form.fields[name].label) for name in TOKEN_FIELDS if name in form.fields
    }
    for entry in message:
        changed = entry.get("changed", entry.get("added", {}))
        if "name" in changed or "fields" not in changed:
            continue  # an inline's entry, or none of the form's fields
        fields = [field for field in changed["fields"] if field not in token_labels]
        if len(fields) < len(changed["fields"]):
            fields.append("tokens (new pair pasted)")
        changed["fields"] = fields
    return message


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    """One AAC user's pair: add, paste a new one, test, refresh, remove."""

    form = ConnectionForm
    list_display = (
        "person",
        "workspace",
        "state_badge",
        "last_check",
        "access_token_expiry",
        "refresh_token_status",
        "added_by",
    )
    list_filter = ("state", ("workspace", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("workspace", "added_by")
    search_fields = ("person_name", "person_email", "aac_person_id", "workspace__name")
    actions = ("test_connection_action", "refresh_tokens_action")
    readonly_fields = (
        "workspace_link",
        "person",
        "state_badge",
        "state_reason",
        "state_changed_at",
        "stored_tokens",
        "access_token_expiry",
        "refresh_token_status",
        "last_check",
        "added_by",
    )
    fieldsets = (
        (None, {"fields": ("workspace_link", "person", "added_by")}),
        (
            "Tokens",
            {
                "fields": (
                    "stored_tokens",
                    *TOKEN_FIELDS,
                    "refresh_token_lifetime_days",
                    "client_id",
                ),
                "description": "Paste a new pair to replace the stored one; "
                "leave both blank to keep it.",
            },
        ),
        (
            "State",
            {
                "fields": (
                    "state_badge",
                    "state_reason",
                    "state_changed_at",
                    "last_check",
                    "access_token_expiry",
                    "refresh_token_status",
                )
            },
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "fields": (
                    "workspace",
                    *TOKEN_FIELDS,
                    "refresh_token_lifetime_days",
                    "client_id",
                )
            },
        ),
    )

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request):
        latest = ConnectionTask.objects.filter(connection=OuterRef("pk")).order_by(
            "-queued_at", "-id"
        )
        queryset = (
            super()
            .get_queryset(request)
            .annotate(last_task_id=Subquery(latest.values("id")[:1]))
        )
        return access.scope(queryset, request.user)

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class Form(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, added_by=user, **kwargs)

        return Form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "workspace":
            kwargs["queryset"] = access.operable_workspaces(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @method_decorator(sensitive_post_parameters(*TOKEN_FIELDS))
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and access.may_operate_any(
            request.user
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or access.may_operate(request.user, obj.workspace)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or access.may_operate(request.user, obj.workspace)
        )

    def get_deleted_objects(self, objs, request):
        return counted_deletion(objs, request)

    def save_model(self, request, obj, form, change):
        form.save()
        if not change:
            record_change(request, Action.CONNECTION_ADDED, obj.workspace, obj)
        if form.pasted_opaque_token:
            self.message_user(
                request,
                f"{obj}: the access token is not a JWT; it was accepted as "
                "opaque, its expiry is unknown and it will be refreshed on first use.",
                messages.WARNING,
            )

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        return _without_token_fields(message, form)

    @admin.display(description="Workspace")
    def workspace_link(self, obj):
        url = reverse("admin:workspaces_workspace_change", args=[obj.workspace_id])
        return format_html('<a href="{}">{}</a>', url, obj.workspace)

    @admin.display(description="State", ordering="state")
    def state_badge(self, obj):
        return badge(obj.state, obj.get_state_display(), obj.state_reason)

    @admin.display(description="Stored tokens")
    def stored_tokens(self, obj):
        return stored_tokens(obj)

    @admin.display(description="Last check")
    def last_check(self, obj):
        task_id = getattr(obj, "last_task_id", None)
        task = ConnectionTask.objects.filter(pk=task_id).first() if task_id else None
        if task is None:
            return "-"
        at = task.finished_at or task.started_at or task.queued_at
        return format_html_join(
            " ",
            "{}",
            [
                (badge(task.status, task.get_status_display(), task.message),),
                (f"{task.get_action_display()}, {timesince(at)} ago",),
                (task.message,),
            ],
        )

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
        action_answer(
            self,
            request,
            self.operable_only(request, queryset),
            ConnectionTask.Action.TEST,
        )

    @admin.action(description="Refresh tokens now", permissions=["change"])
    def refresh_tokens_action(self, request, queryset):
        action_answer(
            self,
            request,
            self.operable_only(request, queryset),
            ConnectionTask.Action.REFRESH,
        )

    def operable_only(self, request, queryset) -> list[Connection]:
        operable = access.operable_ids(request.user)
        selected = list(
            access.scope(queryset, request.user).select_related("workspace")
        )
        for connection in selected:
            if connection.workspace_id not in operable:
                self.message_user(
                    request, f"{connection}: you may only view it.", messages.WARNING
                )
        return [c for c in selected if c.workspace_id in operable]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the portal's own code writes: nobody adds, changes or deletes them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConnectionTask)
class ConnectionTaskAdmin(ReadOnlyAdmin):
    """Tests and refreshes pressed, with their outcome; written by the tasks alone."""

    list_display = (
        "queued_at",
        "connection",
        "action",
        "status",
        "requested_by",
        "message",
    )
    list_filter = ("action", "status")
    list_select_related = ("connection__workspace", "requested_by")

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .defer(*(f"connection__{name}" for name in Connection.SECRET_FIELDS))
        )
        return access.scope(queryset, request.user, workspace="connection__workspace")


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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        verb = "Changed" if change else "Added"
        record_change(
            request,
            Action.MEMBERSHIP_CHANGED,
            obj.workspace,
            obj,
            f"{verb} in the admin.",
        )

    def delete_model(self, request, obj):
        record_change(
            request,
            Action.MEMBERSHIP_CHANGED,
            obj.workspace,
            obj,
            "Removed in the admin.",
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("workspace", "user"):
            record_change(
                request,
                Action.MEMBERSHIP_CHANGED,
                membership.workspace,
                membership,
                "Removed in the admin.",
            )
        super().delete_queryset(request, queryset)

    # Memberships decide who sees what: only superusers change them.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
