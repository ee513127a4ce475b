"""The Celery application, configured from Django settings (CELERY_* names).

A worker or beat checks the configuration before it takes or sends a task
(docs/reliability.md rule 13).
"""

import os

from celery import Celery, signals

from aacportal.startup import refuse_unless_configured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aacportal.settings")

app = Celery("aacportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
@signals.beat_init.connect
def _refuse_unless_configured(**kwargs) -> None:
    refuse_unless_configured()
