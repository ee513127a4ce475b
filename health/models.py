"""When each worker was last seen, so the portal can tell whether work gets done.

The embedded broker has no broadcast for `celery inspect ping`, so workers say
they are alive by writing here: at start-up and on every beat heartbeat.
"""

from django.db import models


class WorkerHeartbeat(models.Model):
    hostname = models.CharField(max_length=255, unique=True)
    last_seen = models.DateTimeField()

    def __str__(self):
        return self.hostname
