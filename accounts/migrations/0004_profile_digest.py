from django.core.validators import MaxValueValidator
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_password_reset_requests")]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="digest",
            field=models.BooleanField(
                default=False,
                help_text="E-mail me once a day what needs attention in my workspaces.",
                verbose_name="daily digest",
            ),
        ),
        migrations.AddField(
            model_name="profile",
            name="digest_hour",
            field=models.PositiveSmallIntegerField(
                default=8,
                help_text="The hour of the day (0-23, in my timezone) it arrives.",
                validators=[MaxValueValidator(23)],
                verbose_name="digest hour",
            ),
        ),
    ]
