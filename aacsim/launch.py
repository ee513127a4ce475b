"""Starting a run on request: execution ids and the per-minute quotas.

docs/aac-api.md, Conventions of the v4 API: a run call may carry an
`x-execution-id`, and a repeated one starts nothing (304); plan runs are
limited to 30 per user and 60 per workspace a minute, flow runs to 20 and 40,
job-group runs to 30 and 60, over which AAC answers 429 with `x-retry-after`
and `x-rate-limit-{user,workspace}-{limit,remaining,reset}`. `reset` is the
instant the window frees a run, in epoch seconds for the user and epoch
milliseconds for the workspace, as the published text has it. Workflow runs
count as job-group runs. The order of the checks (execution id first, so a
retried press is never refused for the quota it already used) and what
`reset` names (the instant the oldest counted run leaves the window, or now
when none is counted) are guesses.
"""

import math
from collections import deque
from dataclasses import dataclass, field

from aacsim import history
from aacsim.assets import Asset
from aacsim.runs import Run

# Per asset kind: (per user, per workspace) runs a minute.
QUOTAS = {"plan": (30, 60), "flow": (20, 40), "workflow": (30, 60)}
WINDOW = 60.0
# docs/aac-api.md, Conventions of the v4 API: the user's reset in epoch
# seconds, the workspace's in epoch milliseconds.
RESET_UNITS = {"user": 1, "workspace": 1000}


def quota_headers(scope: str, limit: int, remaining: int, reset_at: float) -> dict:
    """The `x-rate-limit-{scope}-*` headers; `reset_at` in epoch seconds."""
    return {
        f"x-rate-limit-{scope}-limit": str(limit),
        f"x-rate-limit-{scope}-remaining": str(remaining),
        f"x-rate-limit-{scope}-reset": str(math.ceil(reset_at * RESET_UNITS[scope])),
    }


@dataclass(frozen=True)
class Launch:
    """What a run request did: started `run`, or nothing because the
    execution id was `repeated` or the quota asks to `retry_after` seconds."""

    run: Run | None = None
    repeated: bool = False
    retry_after: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


class Quotas:
    """The run starts of one workspace in the last minute, per asset kind."""

    def __init__(self) -> None:
        self._starts: dict[str, deque[tuple[float, int]]] = {
            kind: deque() for kind in QUOTAS
        }

    def _recent(self, kind: str, now: float) -> deque[tuple[float, int]]:
        starts = self._starts[kind]
        while starts and starts[0][0] <= now - WINDOW:
            starts.popleft()
        return starts

    def _scopes(self, kind: str, person_id: int, now: float):
        starts = self._recent(kind, now)
        mine = [at for at, person in starts if person == person_id]
        everyone = [at for at, _ in starts]
        return zip(("user", "workspace"), QUOTAS[kind], (mine, everyone), strict=True)

    def retry_after(self, kind: str, person_id: int, now: float) -> int | None:
        """Seconds to wait if a start now is over quota, else None."""
        waits = [
            starts[0] + WINDOW - now
            for _, limit, starts in self._scopes(kind, person_id, now)
            if len(starts) >= limit
        ]
        return max(1, math.ceil(max(waits))) if waits else None

    def record(self, kind: str, person_id: int, now: float) -> None:
        self._starts[kind].append((now, person_id))

    def headers(self, kind: str, person_id: int, now: float) -> dict[str, str]:
        headers = {}
        for scope, limit, starts in self._scopes(kind, person_id, now):
            reset_at = starts[0] + WINDOW if starts else now
            remaining = max(limit - len(starts), 0)
            headers.update(quota_headers(scope, limit, remaining, reset_at))
        return headers


def launch(
    workspace,
    asset: Asset,
    *,
    person_id: int,
    now: float,
    seed: int,
    execution_id: str | None,
) -> Launch:
    """Start `asset` now for `person_id`, unless the id or the quota forbid."""
    store, quotas = workspace.runs, workspace.quotas
    if execution_id and execution_id in store.executions:
        return Launch(repeated=True)
    wait = quotas.retry_after(asset.kind, person_id, now)
    if wait is not None:
        headers = quotas.headers(asset.kind, person_id, now)
        return Launch(retry_after=wait, headers=headers)
    quotas.record(asset.kind, person_id, now)
    run = history.record(
        store,
        asset,
        created=now,
        seed=seed,
        ranfrom="api",
        schedule_id=None,
        run_by=person_id,
    )
    if execution_id:
        store.executions[execution_id] = run
    return Launch(run=run, headers=quotas.headers(asset.kind, person_id, now))
