from django.apps import AppConfig


class AttentionConfig(AppConfig):
    name = "attention"
    verbose_name = "Attention"

    def ready(self):
        # Evaluate a workspace's rules when a sync of it ends.
        from attention import receivers  # noqa: F401
