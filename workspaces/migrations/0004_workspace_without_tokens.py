"""The workspace's own token, lease and state columns go (its connections hold them),
and one AAC workspace may be registered once.

A second workspace of an AAC workspace already registered counted its
schedules twice: it loses the gid (so the constraint holds), and its
connections say why.
"""

from django.db import migrations, models

TWICE = (
    "This is AAC workspace {gid} again, like the portal's workspace “{first}”: "
    "its schedules were counted twice. Delete one of the two workspaces."
)


def one_workspace_per_gid(apps, schema_editor):
    Workspace = apps.get_model("workspaces", "Workspace")
    Connection = apps.get_model("workspaces", "Connection")
    db = schema_editor.connection.alias
    first_of = {}
    for workspace in (
        Workspace.objects.using(db).exclude(aac_gid="").order_by("created_at", "pk")
    ):
        gid = workspace.aac_gid
        if gid not in first_of:
            first_of[gid] = workspace.name
            continue
        Connection.objects.using(db).filter(workspace_id=workspace.pk).update(
            state="error", state_reason=TWICE.format(gid=gid, first=first_of[gid])
        )
        Workspace.objects.using(db).filter(pk=workspace.pk).update(aac_gid="")


class Migration(migrations.Migration):
    dependencies = [("workspaces", "0003_move_tokens_to_connections")]

    operations = [
        migrations.RunPython(one_workspace_per_gid, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="workspace",
            name="access_token",
        ),
        migrations.RemoveField(
            model_name="workspace",
            name="access_token_expires_at",
        ),
        migrations.RemoveField(
            model_name="workspace",
            name="client_id",
        ),
        migrations.RemoveField(
            model_name="workspace",
            name="refresh_lease_expires_at",
        ),
        migrations.RemoveField(
            model_name="workspace",
            name="refresh_lease_id",
        ),
        migrations.RemoveField(
            model_name="workspace",
            name="refresh_token",
        ),
        migrations.RemoveField(
            model_name="workspace",
            name="refresh_token_issued_at",
        ),
        migrations.RemoveField(
            model_name="workspace",
            name="refresh_token_lifetime_days",
        ),
        migrations.RemoveField(
            model_name="workspace",
            name="state",
        ),
        migrations.RemoveField(
            model_name="workspace",
            name="state_changed_at",
        ),
        migrations.RemoveField(
            model_name="workspace",
            name="state_reason",
        ),
        migrations.AddConstraint(
            model_name="workspace",
            constraint=models.UniqueConstraint(
                condition=models.Q(("aac_gid", ""), _negated=True),
                fields=("aac_gid",),
                name="workspace_unique_aac_gid",
            ),
        ),
    ]
