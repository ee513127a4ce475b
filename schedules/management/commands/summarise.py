"""Count every workspace's summary now (`schedules.summaries`), as its sync would.

Each sync writes its workspace's summary; after an upgrade that adds to the
summaries, they fill at each workspace's next sync, or at once with this.
"""

from django.core.management.base import BaseCommand

from schedules import summaries
from workspaces.models import Workspace


class Command(BaseCommand):
    help = "Count every workspace's dashboard summary now, as its sync would."

    def handle(self, *args, **options):
        ids = list(Workspace.objects.order_by("pk").values_list("pk", flat=True))
        for pk in ids:
            summaries.record(pk)
        self.stdout.write(f"Summaries of {len(ids)} workspaces counted.")
