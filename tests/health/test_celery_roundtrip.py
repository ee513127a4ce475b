"""A task goes through the real broker to a real worker process and back to the DB.

Locally the broker is the embedded filesystem transport; under CI it is Redis.
"""

import time

import pytest
from django.utils import timezone

from health.models import WorkerHeartbeat
from health.tasks import heartbeat


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_consumes_a_task_from_the_broker(celery_worker):
    sent_at = timezone.now()
    heartbeat.delay()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        beat = WorkerHeartbeat.objects.filter(
            hostname=celery_worker.hostname, last_seen__gte=sent_at
        ).first()
        if beat:
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"the worker did not run the task:\n{celery_worker.log()}")
    assert beat.last_seen >= sent_at
