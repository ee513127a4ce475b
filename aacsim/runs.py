"""Runs of plans, flows and workflows, each with its job group, and their store.

A `Run` is one execution of an asset. Its status is a function of the clock
(docs/aac-api.md, Plans flows workflows and their runs): `Created` until it
starts, `InProgress` until it finishes, then `Complete`, `Failed` or
`Canceled`. `RunStore` keeps a workspace's runs in creation order, which is
also id order, with their creation instants beside them for bisection, so a
listing from a `dateFilter[createdAt][gte]` costs its page, not the history.

Ids: the k-th run of the workspace with index i has the job group id
(i + 1) * 10**9 + k and the run id (plan snapshot run, flow run or workflow
job) (i + 1) * 10**9 + 500_000_000 + k. They exceed 2**31.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from aacsim.assets import Asset

STATUSES = ("Created", "InProgress", "Complete", "Failed", "Canceled")
FINISHED = ("Complete", "Failed", "Canceled")
RANFROM = ("ui", "schedule", "api")
RUN_ID_OFFSET = 500_000_000


class Run:
    """One run. `started` is None for a run canceled before it started."""

    __slots__ = (
        "asset",
        "created",
        "finished",
        "message",
        "number",
        "outcome",
        "ranfrom",
        "run_by",
        "schedule_id",
        "started",
    )

    def __init__(
        self,
        number: int,
        asset: Asset,
        *,
        created: float,
        started: float | None,
        finished: float,
        outcome: str,
        message: str | None,
        ranfrom: str,
        schedule_id: int | None,
        run_by: int,
    ):
        self.number, self.asset, self.ranfrom = number, asset, ranfrom
        self.created, self.started, self.finished = created, started, finished
        self.outcome, self.message = outcome, message
        self.schedule_id, self.run_by = schedule_id, run_by

    def status(self, now: float) -> str:
        if now >= self.finished:
            return self.outcome
        if self.started is None or now < self.started:
            return "Created"
        return "InProgress"

    def started_at(self, now: float) -> float | None:
        started = self.started
        return started if started is not None and started <= now else None

    def finished_at(self, now: float) -> float | None:
        return self.finished if self.finished <= now else None

    def updated_at(self, now: float) -> float:
        return self.finished_at(now) or self.started_at(now) or self.created

    def error(self, now: float) -> str | None:
        return self.message if self.status(now) == "Failed" else None

    def cancel(self, now: float) -> bool:
        """Cancel it if it has not finished; False if it had."""
        if now >= self.finished:
            return False
        if self.started is not None and self.started > now:
            self.started = None
        self.finished, self.outcome, self.message = now, "Canceled", None
        return True


@dataclass(frozen=True)
class Script:
    """How the next run of an asset goes, set by a test or the demo."""

    status: str = "Complete"
    message: str | None = None
    duration: float | None = None
    queued: float | None = None


class RunStore:
    """A workspace's runs. `until` is the instant history is made up to; None
    until anything asks for runs, so a workspace nobody asks costs nothing."""

    def __init__(self, index: int):
        self.base = (index + 1) * 10**9
        self.runs: list[Run] = []
        self.created: list[float] = []
        self.plan_runs: list[Run] = []
        self.plan_created: list[float] = []
        self.until: float | None = None
        self.latest: dict[int, Run] = {}  # by asset serial
        self.executions: dict[str, Run] = {}
        self.scripts: dict[int, Script] = {}  # by asset serial

    def add(self, asset: Asset, *, created: float, **fields) -> Run:
        # Creation order is id order: a clock that steps back does not undo it.
        if self.created and created < self.created[-1]:
            created = self.created[-1]
        run = Run(len(self.runs), asset, created=created, **fields)
        self.runs.append(run)
        self.created.append(created)
        if asset.kind == "plan":
            self.plan_runs.append(run)
            self.plan_created.append(created)
        self.latest[asset.serial] = run
        return run

    def job_group_id(self, run: Run) -> int:
        return self.base + run.number

    def run_id(self, run: Run) -> int:
        return self.base + RUN_ID_OFFSET + run.number

    def by_job_group(self, job_group_id: int) -> Run | None:
        return self._at(job_group_id - self.base)

    def by_run_id(self, run_id: int, kind: str) -> Run | None:
        run = self._at(run_id - self.base - RUN_ID_OFFSET)
        return run if run is not None and run.asset.kind == kind else None

    def _at(self, number: int) -> Run | None:
        if 0 <= number < len(self.runs):
            return self.runs[number]
        return None

    def window(
        self, *, plans_only: bool, gte: float | None, lte: float | None
    ) -> list[Run]:
        """The runs created in [gte, lte] (either end open if None), oldest
        first, found by bisection: a slice, not a scan."""
        runs, created = (
            (self.plan_runs, self.plan_created)
            if plans_only
            else (self.runs, self.created)
        )
        low = 0 if gte is None else bisect_left(created, gte)
        high = len(runs) if lte is None else bisect_right(created, lte)
        return runs[low:high]
