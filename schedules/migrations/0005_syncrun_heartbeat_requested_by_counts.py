"""SyncRun: a heartbeat, who asked for it, and its counts per kind of AAC object.

The schedule counts move from their own columns into `counts["schedules"]`, so
the kinds that come later (people, plans, ...) record theirs the same way.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OLD_COUNTS = ("created", "updated", "unchanged", "deleted", "unparsed", "ignored")


def counts_to_json(apps, schema_editor):
    SyncRun = apps.get_model("schedules", "SyncRun")
    runs = SyncRun.objects.only("pk", "pages_fetched", "schedules_seen", *OLD_COUNTS)
    for run in runs.iterator():
        counts = {name: getattr(run, name) for name in OLD_COUNTS}
        counts |= {"pages": run.pages_fetched, "seen": run.schedules_seen}
        run.counts = {"schedules": counts}
        run.save(update_fields=["counts"])
    SyncRun.objects.filter(status="running").update(heartbeat_at=models.F("started_at"))


def counts_to_columns(apps, schema_editor):
    SyncRun = apps.get_model("schedules", "SyncRun")
    for run in SyncRun.objects.only("pk", "counts").iterator():
        counts = run.counts.get("schedules", {})
        for name in OLD_COUNTS:
            setattr(run, name, counts.get(name, 0))
        run.schedules_seen = counts.get("seen", 0)
        run.save(update_fields=[*OLD_COUNTS, "schedules_seen"])


class Migration(migrations.Migration):
    dependencies = [
        ("schedules", "0004_schedule_workspace_no_own_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="syncrun",
            name="heartbeat_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When its worker last said it is working.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="syncrun",
            name="requested_by",
            field=models.ForeignKey(
                blank=True,
                help_text="Who pressed the button or ran the admin action; empty for beat.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="syncrun",
            name="counts",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Per kind of AAC object (schedules, ...): pages, seen, created, updated, unchanged, deleted, unparsed, ignored.",
            ),
        ),
        migrations.RunPython(counts_to_json, counts_to_columns),
        migrations.RemoveField(model_name="syncrun", name="schedules_seen"),
        migrations.RemoveField(model_name="syncrun", name="created"),
        migrations.RemoveField(model_name="syncrun", name="updated"),
        migrations.RemoveField(model_name="syncrun", name="unchanged"),
        migrations.RemoveField(model_name="syncrun", name="deleted"),
        migrations.RemoveField(model_name="syncrun", name="unparsed"),
        migrations.RemoveField(model_name="syncrun", name="ignored"),
        migrations.AddConstraint(
            model_name="syncrun",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "running"), _negated=True),
                    ("heartbeat_at__isnull", False),
                    _connector="OR",
                ),
                name="syncrun_running_has_heartbeat",
            ),
        ),
    ]
