from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SchedulesConfig(AppConfig):
    name = "schedules"

    def ready(self):
        from schedules.summaries import summarise_missing

        post_migrate.connect(summarise_missing, sender=self)
