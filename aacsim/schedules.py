"""What changes a workspace's schedules: the `Simulator`'s schedule methods.

Tests and the control API add, remove and touch schedules; callers enable,
disable and delete them under the owner rule (docs/aac-api.md, Schedules).
A workspace whose runs someone has seen first makes its history up to now,
so runs follow the schedules as they were at each instant.
"""

import copy
import json
from collections.abc import Iterable

from aacsim import data
from aacsim.workspace import Caller, SimWorkspace


class SchedulesMixin:
    """Part of `Simulator`: uses its `lock`, `clock`, `oddities`,
    `workspace()` and `_catch_up_if_kept()`."""

    def _generate(self, workspace: SimWorkspace, count: int) -> list[dict]:
        self._catch_up_if_kept(workspace)
        made = []
        for _ in range(count):
            schedule_id = workspace.next_schedule_id
            # Ids are sparse, as deletions leave them in a real workspace.
            workspace.next_schedule_id += workspace.rng.randint(1, 3)
            schedule = data.make_schedule(
                workspace.rng,
                schedule_id=schedule_id,
                position=len(workspace.schedules),
                workspace_id=workspace.id,
                people=workspace.people,
                oddities=self.oddities,
                assets=workspace.assets,
            )
            workspace.schedules[schedule_id] = schedule
            made.append(schedule)
        workspace.changed()
        return made

    def schedules(self, workspace_id: int) -> list[dict]:
        """A copy of a workspace's schedules, in id order."""
        with self.lock:
            workspace = self.workspace(workspace_id)
            return [json.loads(workspace.encoded(i)) for i in workspace.schedules]

    def add_schedules(self, workspace_id: int, n: int) -> list[dict]:
        with self.lock:
            made = self._generate(self.workspace(workspace_id), n)
            return copy.deepcopy(made)

    def remove_schedules(
        self, workspace_id: int, which: int | Iterable[int]
    ) -> list[int]:
        """Delete `which` schedule ids, or that many chosen at random (seeded)."""
        with self.lock:
            workspace = self.workspace(workspace_id)
            self._catch_up_if_kept(workspace)
            if isinstance(which, int):
                count = min(which, len(workspace.schedules))
                ids = workspace.rng.sample(list(workspace.schedules), count)
            else:
                ids = [i for i in which if i in workspace.schedules]
            for schedule_id in ids:
                del workspace.schedules[schedule_id]
                workspace.changed(schedule_id)
            return sorted(ids)

    def touch_schedules(self, workspace_id: int, n: int) -> list[int]:
        """Edit `n` random schedules: new updatedAt and updatedBy."""
        with self.lock:
            workspace = self.workspace(workspace_id)
            count = min(n, len(workspace.schedules))
            ids = sorted(workspace.rng.sample(list(workspace.schedules), count))
            for schedule_id in ids:
                self._update(
                    workspace, schedule_id, workspace.rng.choice(workspace.people)["id"]
                )
            return ids

    def edit_schedule(
        self, workspace_id: int, schedule_id: int, by: int, **fields
    ) -> dict:
        """Change one schedule as person `by` does in AAC's own UI: `fields`
        replace its top-level ones (`name`, `enabled`, `triggers`, `tasks`, or
        `creator` and `createdBy` when ownership moves to another person)."""
        with self.lock:
            workspace = self.workspace(workspace_id)
            self._catch_up_if_kept(workspace)
            return self._update(workspace, schedule_id, by, **fields)

    def set_enabled(
        self, caller: Caller, schedule_id: int, enabled: bool
    ) -> dict | None:
        """Enable or disable as the caller; None if there is no such schedule,
        `NotOwner` if the caller does not own it."""
        with self.lock:
            workspace = caller.workspace
            if schedule_id not in workspace.schedules:
                return None
            workspace.check_owner(schedule_id, caller.person_id)
            self._catch_up_if_kept(workspace)
            return self._update(
                workspace,
                schedule_id,
                caller.person_id,
                enabled=enabled,
                disableReason=None if enabled else "Disabled by user",
            )

    def delete_schedule(self, caller: Caller, schedule_id: int) -> bool:
        """Delete as the caller; False if there is no such schedule, `NotOwner`
        if the caller does not own it."""
        with self.lock:
            if schedule_id not in caller.workspace.schedules:
                return False
            caller.workspace.check_owner(schedule_id, caller.person_id)
            return bool(self.remove_schedules(caller.workspace.id, [schedule_id]))

    def _update(
        self, workspace: SimWorkspace, schedule_id: int, person_id: int, **fields
    ) -> dict:
        schedule = workspace.schedules[schedule_id]
        schedule.update(fields, updatedAt=data.iso(self.clock()), updatedBy=person_id)
        workspace.changed(schedule_id)
        return copy.deepcopy(schedule)
