"""The one poller a page has while any of its workspaces' syncs is under way."""

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone


@dataclass
class Poller:
    """Polls the runs of a page's workspaces while any is queued or running."""

    active: bool
    workspace_id: int | None = None
    since: datetime | None = None

    @property
    def url(self) -> str:
        since = (self.since or timezone.now()).timestamp()
        query = f"since={since:.6f}"
        if self.workspace_id:
            query += f"&workspace={self.workspace_id}"
        return f"{reverse('pages:sync_status')}?{query}"
