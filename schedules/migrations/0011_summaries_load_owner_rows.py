"""Summaries hold the upcoming load (every run of the week) and the rows coverage
reads; and the two 0008 migrations meet here.

The summaries fill at each workspace's next sync; `manage.py summarise`
counts them all now. (No data step here: it would run today's code against
the columns of this point in the history.)
"""

from django.db import migrations, models


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
    ]
