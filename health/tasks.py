"""Periodic proof that a worker consumes from the broker."""

from celery import current_task, shared_task

from health.status import record_heartbeat


@shared_task
def heartbeat():
    record_heartbeat(current_task.request.hostname)
