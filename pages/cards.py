"""What the portal says about each workspace: state, last sync, token warnings.

Loaded for all visible workspaces at once (a fixed number of queries), and
never with the encrypted token columns (the manager defers them): pages have
no use for the secrets.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse

from schedules.models import SyncRun
from schedules.queries import Summary
from workspaces.models import Workspace
from workspaces.tokens.problems import REAUTH_HELP


def _latest_run(**filters) -> Subquery:
    runs = SyncRun.objects.filter(workspace=OuterRef("pk"), **filters)
    return Subquery(runs.order_by("-queued_at", "-id").values("id")[:1])


@dataclass
class Card:
    workspace: Workspace
    counts: dict[str, int] = field(default_factory=dict)  # from the Summary
    latest: SyncRun | None = None  # the newest run, whatever its status
    last_success: SyncRun | None = None  # what the cached data comes from
    can_operate: bool = False
    url: str = ""
    warnings: list[str] = field(default_factory=list)
    # Its runs failed in the last 24 h (pages.failures).
    failed_runs: int = 0

    @property
    def counts_line(self) -> str:
        n = self.counts.get("schedules", 0)
        line = f"{n:,} schedule{'s' * (n != 1)}"
        if n:
            line += (
                f" · {self.counts['enabled']:,} enabled"
                f" · {self.counts['next_24h']:,} in the next 24 h"
            )
        return line

    @property
    def active(self) -> SyncRun | None:
        return self.latest if self.latest and self.latest.is_active else None


def token_warnings(workspace: Workspace, *, now: datetime) -> list[str]:
    if not workspace.refresh_token_expires_soon(now):
        return []
    expires = workspace.refresh_token_expires_at
    if expires <= now:
        return [f"The refresh token expired. {REAUTH_HELP}"]
    days = (expires - now).days
    left = "less than a day" if days < 1 else f"{days} day{'s' * (days != 1)}"
    return [f"The refresh token expires in {left}. {REAUTH_HELP}"]


def workspace_cards(
    workspaces: QuerySet[Workspace],
    *,
    summary: Summary,
    operable: set[int],
    now: datetime,
    failed_runs: dict[int, int] | None = None,
) -> list[Card]:
    """One card per workspace; two queries whatever their number."""
    workspaces = list(
        workspaces.annotate(
            latest_run_id=_latest_run(),
            last_success_run_id=_latest_run(status=SyncRun.Status.SUCCEEDED),
        )
    )
    run_ids = {ws.latest_run_id for ws in workspaces}
    run_ids |= {ws.last_success_run_id for ws in workspaces}
    runs = SyncRun.objects.in_bulk(run_ids - {None})
    # One reverse() for all the cards: each call costs tens of microseconds.
    url = reverse("pages:workspace", args=[0]).replace("/0/", "/{}/")
    return [
        Card(
            workspace=ws,
            counts=summary.by_workspace.get(ws.pk, {}),
            latest=runs.get(ws.latest_run_id),
            last_success=runs.get(ws.last_success_run_id),
            can_operate=ws.pk in operable,
            url=url.format(ws.pk),
            warnings=token_warnings(ws, now=now),
            failed_runs=(failed_runs or {}).get(ws.pk, 0),
        )
        for ws in workspaces
    ]
