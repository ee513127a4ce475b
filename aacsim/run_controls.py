"""How tests and the demo steer runs: the `Simulator`'s run methods.

History is made lazily (see `aacsim.history`); these make it up to the clock,
count it, add runs on demand (a benchmark wants exactly 500 new ones) and
decide how the next run of an asset goes, so a test can force "complete" and
"failed" (docs/aac-api.md, What the simulator must do).
"""

import random

from aacsim import history
from aacsim.assets import KINDS
from aacsim.runs import FINISHED, Script
from aacsim.workspace import SimWorkspace, check_choice


class RunsMixin:
    """Part of `Simulator`: uses its `lock`, `clock`, `seed`,
    `min_run_interval` and `workspace()`."""

    def catch_up(self, workspace: SimWorkspace) -> None:
        """Make the workspace's run history up to the clock (under the lock)."""
        history.catch_up(
            workspace,
            self.clock(),
            seed=self.seed,
            min_interval=self.min_run_interval,
        )

    def _catch_up_if_kept(self, workspace: SimWorkspace) -> None:
        # Once someone has seen runs, they follow the schedules as they were.
        if workspace.runs.until is not None:
            self.catch_up(workspace)

    def run_count(self, workspace_id: int) -> int:
        """How many runs the workspace has had, up to the clock."""
        with self.lock:
            workspace = self.workspace(workspace_id)
            self.catch_up(workspace)
            return len(workspace.runs.runs)

    def add_runs(self, workspace_id: int, n: int) -> int:
        """Start `n` runs now, as schedules would: assets of enabled schedules,
        chosen at random (seeded). Returns how many runs the workspace has had."""
        with self.lock:
            workspace = self.workspace(workspace_id)
            self.catch_up(workspace)
            store = workspace.runs
            rng = random.Random(
                f"aacsim:{self.seed}:{workspace.index}:{len(store.runs)}"
            )
            due = [
                (schedule, asset)
                for schedule in workspace.schedules.values()
                if schedule["enabled"]
                for task in schedule["tasks"]
                if (asset := workspace.assets.of_task(task)) is not None
            ]
            if not due:
                raise ValueError("no schedule here runs a plan, flow or workflow")
            now = self.clock()
            for schedule, asset in sorted(
                rng.choices(due, k=n), key=lambda d: d[0]["id"]
            ):
                history.record(
                    store,
                    asset,
                    created=now,
                    seed=self.seed,
                    ranfrom="schedule",
                    schedule_id=schedule["id"],
                    run_by=schedule["createdBy"],
                )
            return len(store.runs)

    def set_next_run(
        self,
        workspace_id: int,
        kind: str,
        asset_id: int | str,
        *,
        status: str = "Complete",
        message: str | None = None,
        duration: float | None = None,
        queued: float | None = None,
    ) -> None:
        """Decide how the next run of an asset goes, however it starts:
        `status` Complete, Failed or Canceled (Failed with `message`), after
        `queued` seconds as Created and `duration` seconds InProgress."""
        check_choice("status", status, FINISHED)
        for name, value in (("duration", duration), ("queued", queued)):
            if value is not None and not (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and value >= 0
            ):
                raise ValueError(f"{name} must be a number of seconds")
        with self.lock:
            workspace = self.workspace(workspace_id)
            asset = workspace.assets.get(kind, asset_id) if kind in KINDS else None
            if asset is None:
                raise LookupError(f"no {kind} {asset_id} in workspace {workspace_id}")
            self.catch_up(workspace)
            workspace.runs.scripts[asset.serial] = Script(
                status=status, message=message, duration=duration, queued=queued
            )
