"""People, per-connection `seen_by` masks, and per-connection sync records.

Every cached schedule was listed through its workspace's one pair, which
became the workspace's first connection (slot 0, bit 1): the rows say so,
and that connection last listed them when the workspace last synced.
"""

import django.db.models.deletion
from django.db import migrations, models


def seen_by_first_connection(apps, schema_editor):
    Schedule = apps.get_model("schedules", "Schedule")
    SyncRun = apps.get_model("schedules", "SyncRun")
    Connection = apps.get_model("workspaces", "Connection")
    db = schema_editor.connection.alias
    firsts = Connection.objects.using(db).filter(slot=0)
    Schedule.objects.using(db).filter(
        workspace_id__in=firsts.values("workspace_id")
    ).update(seen_by=1)
    for connection in firsts:
        last = (
            SyncRun.objects.using(db)
            .filter(workspace_id=connection.workspace_id, status="succeeded")
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        )
        if last is not None:
            Connection.objects.using(db).filter(pk=connection.pk).update(listed_at=last)


class Migration(migrations.Migration):
    dependencies = [
        ("schedules", "0005_syncrun_heartbeat_requested_by_counts"),
        ("workspaces", "0003_move_tokens_to_connections"),
    ]

    operations = [
        migrations.CreateModel(
            name="Person",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("aac_id", models.BigIntegerField(verbose_name="AAC id")),
                ("email", models.CharField(blank=True, max_length=255)),
                ("name", models.CharField(blank=True, max_length=255)),
                ("disabled", models.BooleanField(default=False)),
                ("state", models.CharField(blank=True, max_length=50)),
                (
                    "is_admin",
                    models.BooleanField(
                        default=False,
                        help_text="Reliable only on a connection's own person.",
                        verbose_name="admin",
                    ),
                ),
                ("last_login_at", models.DateTimeField(blank=True, null=True)),
                ("raw", models.JSONField()),
                (
                    "fingerprint",
                    models.CharField(default="", editable=False, max_length=32),
                ),
                (
                    "synced_at",
                    models.DateTimeField(help_text="When a sync last wrote this row."),
                ),
                (
                    "seen_by",
                    models.BigIntegerField(
                        default=0,
                        editable=False,
                        help_text="Bits of the connections (by slot) whose last list held it.",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "people",
                "ordering": ["workspace_id", "name", "aac_id"],
            },
        ),
        migrations.AddField(
            model_name="schedule",
            name="seen_by",
            field=models.BigIntegerField(
                default=0,
                editable=False,
                help_text="Bits of the connections (by slot) whose last list held it.",
            ),
        ),
        migrations.AddField(
            model_name="syncrun",
            name="by_connection",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Per connection: its id, slot and person, pages read, items listed per kind, and its error if it failed.",
            ),
        ),
        migrations.AlterField(
            model_name="syncrun",
            name="counts",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Per kind of AAC object (schedules, ...): pages, seen, created, updated, unchanged, deleted, unparsed, ignored; what the connections' lists added up to.",
            ),
        ),
        migrations.AddIndex(
            model_name="schedule",
            index=models.Index(
                fields=["workspace", "seen_by", "owner_id", "owner_disabled"],
                name="schedule_seen_by",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="workspace",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="people",
                to="workspaces.workspace",
            ),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(
                fields=("workspace", "aac_id"), name="person_unique_workspace_aac_id"
            ),
        ),
        migrations.RunPython(seen_by_first_connection, migrations.RunPython.noop),
    ]
