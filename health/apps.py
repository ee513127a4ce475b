from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "health"

    def ready(self):
        from health import signals  # noqa: F401  records worker start-up
