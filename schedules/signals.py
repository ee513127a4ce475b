"""What the schedules app tells the apps above it, without knowing them.

`sync_finished` is sent by the sync task (`schedules.tasks`) when a run ended,
retrying or not; `attention` evaluates its rules on it. Data still flows one
way: the receiver reads the models the sync wrote.
"""

from django.dispatch import Signal

# Sent with `run`: the SyncRun as it ended (succeeded, failed, skipped, or
# queued again with `retry_at`).
sync_finished = Signal()
