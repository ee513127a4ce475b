from django.apps import AppConfig


class AttentionConfig(AppConfig):
    name = "attention"
    verbose_name = "Attention"

    def ready(self):
        # Evaluate a workspace's rules when a sync of it ends; check settings.
        from attention import checks, receivers  # noqa: F401
