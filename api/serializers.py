"""What the API answers, field by field: the shapes the schema documents.

Every time is ISO 8601 in UTC with its offset ("2026-12-01T19:30:00+00:00"),
whatever the user's timezone; every object carries the portal's id (`id`)
and AAC's (`aac_id`, or `aac_workspace_id` for a workspace). Only fields the
pages show are here: never `raw`, never a token.
"""

from datetime import UTC

from django.db import models
from rest_framework import serializers

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
