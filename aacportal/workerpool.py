"""The worker's pool: Celery's prefork, whose idle processes hold no lock.

On Redis, Celery drives its prefork pool from an event loop, with a pipe per
pool process. Kombu's filesystem transport (the embedded broker) has no event
loop, so Celery falls back to billiard's blocking pool: its processes share
one pipe of tasks and one lock to read it, and an idle process waits for the
next task holding that lock (billiard's `SimpleQueue.get_payload`). Kill that
process (`kill -9`, the OOM killer, the SIGKILL after a hard time limit) and
the lock is never released: its replacement and every other pool process wait
on it forever, while the worker goes on taking tasks from the broker that
nothing runs. Here an idle process waits for the pipe to become readable
without the lock, and takes the lock only to read a task that is there
(docs/reliability.md rule 16). Chosen by CELERY_WORKER_POOL; with Redis the
event-loop pool is used, unchanged.
"""

from billiard.pool import Pool
from billiard.queues import SimpleQueue
from celery.concurrency import prefork


class _TaskPipe(SimpleQueue):
    def get_payload(self) -> bytes:
        while True:
            self._reader.poll(None)
            with self._rlock:
                # Another process may have read what woke this one.
                if self._reader.poll(0):
                    return self._reader.recv_bytes()


class _BlockingPool(Pool):
    def _setup_queues(self) -> None:
        super()._setup_queues()
        self._inqueue.close()
        self._inqueue = _TaskPipe(ctx=self._ctx)
        self._quick_put = self._inqueue._writer.send


class TaskPool(prefork.TaskPool):
    BlockingPool = _BlockingPool
