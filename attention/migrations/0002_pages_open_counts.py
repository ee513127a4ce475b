import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count


def count_open_findings(apps, schema_editor):
    """The open counts of the findings already there (`attention.listing.
    record_open_counts` keeps them from now on)."""
    finding = apps.get_model("attention", "Finding")
    open_count = apps.get_model("attention", "OpenCount")
    grouped = (
        finding.objects.filter(resolved_at__isnull=True)
        .order_by()
        .values_list("workspace_id", "rule", "severity")
        .annotate(n=Count("id"))
    )
    open_count.objects.bulk_create(
        open_count(workspace_id=ws, rule=rule, severity=severity, n=n)
        for ws, rule, severity, n in grouped
    )


class Migration(migrations.Migration):
    dependencies = [
        ("attention", "0001_initial"),
        ("workspaces", "0004_workspace_without_tokens"),
    ]

    operations = [
        migrations.CreateModel(
            name="OpenCount",
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
                ("rule", models.CharField(max_length=40)),
                (
                    "severity",
                    models.CharField(
                        choices=[
                            ("critical", "Broken"),
                            ("warning", "At risk"),
                            ("info", "Worth a look"),
                        ],
                        max_length=20,
                    ),
                ),
                ("n", models.PositiveIntegerField()),
            ],
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(
                condition=models.Q(("resolved_at__isnull", True)),
                fields=["rule", "-since", "-id"],
                name="finding_open_since",
            ),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(
                condition=models.Q(("resolved_at__isnull", True)),
                fields=[
                    "opened_at",
                    "workspace",
                    "rule",
                    "severity",
                    "subject_kind",
                    "subject_id",
                ],
                name="finding_open_opened",
            ),
        ),
        migrations.AddField(
            model_name="opencount",
            name="workspace",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="workspaces.workspace",
            ),
        ),
        migrations.AddConstraint(
            model_name="opencount",
            constraint=models.UniqueConstraint(
                fields=("workspace", "rule", "severity"), name="opencount_unique"
            ),
        ),
        migrations.RunPython(count_open_findings, migrations.RunPython.noop),
    ]
