"""Summaries hold the upcoming load (every run of the week) and the rows coverage
reads; and the two 0008 migrations meet here.

Every workspace is counted again, as a sync would, so that the new fields are
filled before the next sync.
"""

from django.db import migrations, models

from schedules.summaries import record


def summarise_every_workspace(apps, schema_editor):
    workspaces = apps.get_model("workspaces", "Workspace")
    for pk in workspaces.objects.order_by("pk").values_list("pk", flat=True):
        record(pk)


class Migration(migrations.Migration):
    dependencies = [
        ("schedules", "0008_task_kinds_auto_insights_location_intelligence"),
        ("schedules", "0010_workspace_summaries"),
    ]

    operations = [
        migrations.AddField(
            model_name="workspacesummary",
            name="owner_rows",
            field=models.JSONField(default=list),
        ),
        migrations.AddField(
            model_name="workspacesummary",
            name="load",
            field=models.JSONField(default=dict),
        ),
        migrations.AddField(
            model_name="allworkspaces",
            name="load",
            field=models.JSONField(default=dict),
        ),
        migrations.RunPython(summarise_every_workspace, migrations.RunPython.noop),
    ]
