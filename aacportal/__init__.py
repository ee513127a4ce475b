"""AAC Portal project package; re-exports the Celery app so workers find it."""

from aacportal.celery import app as celery_app

__all__ = ["celery_app"]
