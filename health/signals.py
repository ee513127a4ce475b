"""A worker records itself as soon as it is ready, before the first beat tick."""

from celery.signals import worker_ready

from health.status import record_heartbeat


@worker_ready.connect
def _worker_ready(sender, **kwargs):
    record_heartbeat(sender.hostname)
