"""What the API answers, field by field: the shapes the schema documents.

Every time is ISO 8601 in UTC with its offset ("2026-12-01T19:30:00+00:00"),
whatever the user's timezone; every object carries the portal's id (`id`)
and AAC's (`aac_id`, or `aac_workspace_id` for a workspace). Only fields the
pages show are here: never `raw`, never a token.
"""

from datetime import UTC

from django.db import models
from rest_framework import serializers

from actions.models import BulkChange, Change, RunRequest, Window
from activity.models import Entry
from attention.models import Finding
from schedules.assets.models import Flow, Plan, Run, Workflow
from schedules.models import Schedule, SyncRun


class UtcDateTimeField(serializers.DateTimeField):
    def to_representation(self, value):
        return value.astimezone(UTC).isoformat() if value else None


class ApiModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UtcDateTimeField,
    }


class ScheduleSerializer(ApiModelSerializer):
    """A row of the schedules table, every column."""

    workspace_name = serializers.CharField(read_only=True)

    class Meta:
        model = Schedule
        fields = [
            "id",
            "aac_id",
            "workspace",
            "workspace_name",
            "name",
            "task_kind",
            "target_id",
            "target_name",
            "description",
            "trigger_kind",
            "cron",
            "timezone",
            "next_run_at",
            "last_execution_at",
            "owner_id",
            "owner_name",
            "owner_email",
            "owner_disabled",
            "enabled",
            "disable_reason",
            "aac_updated_at",
            "note",
        ]


class RunSerializer(ApiModelSerializer):
    """A run of a plan, flow or workflow, as the runs table shows it."""

    workspace_name = serializers.CharField(read_only=True)

    class Meta:
        model = Run
        fields = [
            "id",
            "aac_id",
            "run_aac_id",
            "workspace",
            "workspace_name",
            "asset_kind",
            "asset_aac_id",
            "asset_name",
            "schedule_aac_id",
            "status",
            "ranfrom",
            "run_by_aac_id",
            "aac_created_at",
            "started_at",
            "finished_at",
            "duration_seconds",
            "error_message",
        ]


class ScheduleDetailSerializer(ScheduleSerializer):
    recent_runs = RunSerializer(many=True, read_only=True)

    class Meta(ScheduleSerializer.Meta):
        fields = [
            *ScheduleSerializer.Meta.fields,
            "aac_created_at",
            "synced_at",
            "recent_runs",
        ]


ASSET_FIELDS = [
    "id",
    "aac_id",
    "workspace",
    "workspace_name",
    "name",
    "description",
    "owner_aac_id",
    "aac_created_at",
    "aac_updated_at",
    "last_run_at",
    "last_run_status",
    "last_success_at",
    "failure_streak",
]


class PlanSerializer(ApiModelSerializer):
    workspace_name = serializers.CharField(read_only=True)

    class Meta:
        model = Plan
        fields = ASSET_FIELDS


class FlowSerializer(PlanSerializer):
    class Meta:
        model = Flow
        fields = ASSET_FIELDS


class WorkflowSerializer(PlanSerializer):
    class Meta:
        model = Workflow
        fields = [*ASSET_FIELDS, "workflow_type"]


class SyncRunSerializer(ApiModelSerializer):
    requested_by = serializers.CharField(
        source="requested_by_name",
        read_only=True,
        allow_null=True,
        help_text="Who pressed the button or called the API; null for the beat.",
    )

    class Meta:
        model = SyncRun
        fields = [
            "id",
            "workspace",
            "trigger",
            "status",
            "requested_by",
            "queued_at",
            "started_at",
            "finished_at",
            "pages_fetched",
            "counts",
            "error_kind",
            "error_message",
            "retry_at",
        ]


class ConnectionSerializer(serializers.Serializer):
    """One AAC user's token pair, described; never its tokens."""

    id = serializers.IntegerField()
    person = serializers.CharField()
    aac_person_id = serializers.CharField()
    state = serializers.CharField()
    state_reason = serializers.CharField()
    access_token_expires_at = UtcDateTimeField(allow_null=True)
    refresh_token_expires_at = UtcDateTimeField(allow_null=True)
    listed_at = UtcDateTimeField(allow_null=True)


class CoverageSerializer(serializers.Serializer):
    extent = serializers.ChoiceField(choices=["unknown", "none", "complete", "partial"])
    summary = serializers.CharField()
    people = serializers.IntegerField()
    missing = serializers.ListField(child=serializers.CharField())
    unconfirmed = serializers.IntegerField(
        help_text="Schedules only failing connections list, last confirmed at "
        "`confirmed_at`."
    )
    confirmed_at = UtcDateTimeField(allow_null=True)


class StandingSerializer(serializers.Serializer):
    state = serializers.CharField(
        help_text='"ok", "new", "error", "needs_reauth" or "none".'
    )
    label = serializers.CharField()
    reason = serializers.CharField()
    problems = serializers.ListField(child=serializers.CharField())


class HealthSerializer(serializers.Serializer):
    """What the workspace's badge says on every page: never "ok" while its
    syncs fail or its data is stale."""

    state = serializers.CharField()
    label = serializers.CharField()
    tone = serializers.CharField()
    reason = serializers.CharField()
    since = UtcDateTimeField(allow_null=True)


class WorkspaceSerializer(serializers.Serializer):
    """A workspace: its health, connections' state, coverage, last sync."""

    id = serializers.IntegerField(source="workspace.pk")
    aac_workspace_id = serializers.CharField(source="workspace.aac_workspace_id")
    name = serializers.CharField(source="workspace.name")
    region = serializers.CharField(source="workspace.region")
    is_active = serializers.BooleanField(source="workspace.is_active")
    may_operate = serializers.BooleanField()
    schedules = serializers.IntegerField(help_text="Schedules cached.")
    health = HealthSerializer()
    state = StandingSerializer(
        source="standing", help_text="What its connections allow, summed up."
    )
    coverage = CoverageSerializer()
    last_sync = SyncRunSerializer(allow_null=True)
    last_success = SyncRunSerializer(allow_null=True)
    next_sync = UtcDateTimeField(
        allow_null=True,
        help_text="When beat queues its next sync; in the past: beat is late.",
    )
    connections = ConnectionSerializer(many=True)


class WorkspaceListSerializer(serializers.Serializer):
    results = WorkspaceSerializer(many=True)


def page_of(serializer: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The shape of a page of a list (api/pagination.py), for the schema."""
    name = serializer.__name__.removesuffix("Serializer")
    return type(
        f"{name}PageSerializer",
        (serializers.Serializer,),
        {
            "results": serializer(many=True),
            "next": serializers.URLField(allow_null=True),
            "next_cursor": serializers.CharField(allow_null=True),
        },
    )


class ConfirmSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(
        help_text="Must be true: acting on every workspace is asked for explicitly."
    )

    def validate_confirm(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(
                'Send {"confirm": true} to act on every workspace you operate.'
            )
        return value


class SyncAllSerializer(serializers.Serializer):
    message = serializers.CharField()
    sync_runs = SyncRunSerializer(many=True)


class ConnectionTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    connection = serializers.IntegerField(source="connection_id")
    action = serializers.CharField()
    status = serializers.CharField()
    queued_at = UtcDateTimeField()
    started_at = UtcDateTimeField(allow_null=True)
    finished_at = UtcDateTimeField(allow_null=True)
    message = serializers.CharField()


class RunRequestSerializer(ApiModelSerializer):
    """A press of "Run now", followed until AAC says how the run ended."""

    class Meta:
        model = RunRequest
        fields = [
            "id",
            "workspace",
            "execution_id",
            "asset_kind",
            "asset_aac_id",
            "asset_name",
            "schedule_aac_id",
            "connection_name",
            "requested_by_name",
            "status",
            "aac_run_id",
            "aac_job_group_id",
            "aac_status",
            "message",
            "created_at",
            "started_at",
            "finished_at",
        ]


class ItemSerializer(serializers.Serializer):
    """One schedule an action covers, and how it went for it."""

    workspace = serializers.IntegerField(source="workspace_id", allow_null=True)
    workspace_name = serializers.CharField()
    schedule_aac_id = serializers.IntegerField()
    schedule_name = serializers.CharField()
    owner_name = serializers.CharField()
    message = serializers.CharField()
    finished_at = UtcDateTimeField(allow_null=True)


class BulkItemSerializer(ItemSerializer):
    status = serializers.CharField()


class WindowItemSerializer(ItemSerializer):
    state = serializers.CharField()


class ChangeSerializer(ApiModelSerializer):
    """Enable or disable of one schedule or many, with each one's result (the
    schedules of your workspaces)."""

    items = BulkItemSerializer(source="shown_items", many=True, read_only=True)

    class Meta:
        model = BulkChange
        fields = [
            "id",
            "action",
            "reason",
            "chosen",
            "requested_by_name",
            "status",
            "message",
            "created_at",
            "started_at",
            "finished_at",
            "items",
        ]


class WindowSerializer(ApiModelSerializer):
    """A maintenance window: the schedules it disables from `starts_at` and
    enables again at `ends_at` (those of your workspaces)."""

    items = WindowItemSerializer(source="shown_items", many=True, read_only=True)

    class Meta:
        model = Window
        fields = [
            "id",
            "reason",
            "chosen",
            "starts_at",
            "ends_at",
            "status",
            "created_by_name",
            "created_at",
            "started_at",
            "ended_at",
            "items",
        ]


class SelectionSerializer(serializers.Serializer):
    """Which schedules: their portal ids, or everything a filter of the
    schedules list shows (its parameters), and an explicit confirmation."""

    schedules = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=1000,
        help_text="Portal ids of schedules (`id` in the schedules list).",
    )
    filter = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text='The schedules list\'s filters, e.g. {"workspace": "3", '
        '"enabled": "yes"}: every schedule they show.',
    )
    reason = serializers.CharField(max_length=500)
    confirm = serializers.BooleanField(
        help_text="Must be true: what acts on schedules in AAC is asked for explicitly."
    )

    def validate_confirm(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(
                'Send "confirm": true to act on these schedules.'
            )
        return value

    def validate(self, data: dict) -> dict:
        if ("schedules" in data) == ("filter" in data):
            raise serializers.ValidationError(
                'Name the schedules by "schedules" (ids) or "filter", one of them.'
            )
        return data


class ChangeRequestSerializer(SelectionSerializer):
    action = serializers.ChoiceField(choices=Change.choices)


class WindowRequestSerializer(SelectionSerializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class RunNowSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(
        help_text="Must be true: a run in AAC is asked for explicitly."
    )

    def validate_confirm(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError('Send {"confirm": true} to run it.')
        return value


class FindingSerializer(ApiModelSerializer):
    """Something a rule found wrong, from when until when."""

    class Meta:
        model = Finding
        fields = [
            "id",
            "workspace",
            "rule",
            "severity",
            "subject_kind",
            "subject_id",
            "subject_name",
            "message",
            "data",
            "since",
            "opened_at",
            "seen_at",
            "resolved_at",
        ]


class ActivitySerializer(ApiModelSerializer):
    """A row of the activity log: who did what, where, and how it ended."""

    class Meta:
        model = Entry
        fields = [
            "id",
            "at",
            "user_id",
            "username",
            "workspace_id",
            "workspace_name",
            "action",
            "target_kind",
            "target_id",
            "target_name",
            "outcome",
            "message",
            "aac_request_id",
            "aac_execution_id",
        ]
