"""One simulated AAC workspace: identity, people, schedules, assets and runs.

What a caller may see depends on the workspace's `list_scope`, the open
question of docs/aac-api.md, Schedules: "workspace" lists everyone's
schedules and assets, "owner" only the caller's schedules and the assets
they own or that are shared with them (and those assets' runs). Changing a
schedule is for its owner alone, whatever the scope (the owner rule).
"""

import random
import re
from dataclasses import dataclass, field

from aacsim import data
from aacsim.assets import Asset, Assets
from aacsim.launch import Quotas
from aacsim.messages import dumps
from aacsim.runs import Run, RunStore

LIST_SCOPES = ("workspace", "owner")


def check_choice(name: str, value, choices: tuple) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}")


class NotOwner(Exception):
    """Someone other than a schedule's owner tried to change it."""


@dataclass(eq=False)
class SimWorkspace:
    """One AAC workspace. Its schedules dict stays in ascending id order.

    `origin` is the clock when it was added: run history covers the
    `history_days` before it and everything since.
    """

    index: int
    id: int
    gid: str
    name: str
    client_id: str
    project_id: str
    created_at: int
    tier: str
    list_scope: str
    origin: float
    history_days: float
    rng: random.Random = field(repr=False)
    people: list[dict] = field(repr=False)
    person_details: dict[int, dict] = field(repr=False)
    assets: Assets = field(repr=False)
    runs: RunStore = field(repr=False)
    quotas: Quotas = field(default_factory=Quotas, repr=False)
    firings: dict = field(default_factory=dict, repr=False)  # trigger id → Firing
    next_fire: dict = field(default_factory=dict, repr=False)  # source → instant
    schedules: dict[int, dict] = field(default_factory=dict, repr=False)
    next_schedule_id: int = field(default=0, repr=False)
    _encoded: dict[int, bytes] = field(default_factory=dict, repr=False)
    _orders: dict[str, list[int]] = field(default_factory=dict, repr=False)

    def as_json(self) -> dict:
        """The body of GET /v4/workspaces/current, shaped like the answer
        recorded in Alteryx's example README (docs/aac-api.md, Workspace
        identity)."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-") or "ws"
        tier = {
            "id": self.id - 1,
            "name": self.tier,
            "isSingleUser": False,
            "startsAt": data.iso(self.created_at),
            "trialState": "None",
            "workspace": {"id": self.id},
        }
        return {
            "id": self.id,
            "name": self.name,
            "state": "active",
            "lastStateChange": None,
            "custom_url": f"{slug}-{self.id}.us1.alteryxcloud.com",
            "max_user_number": 5000 if self.tier.startswith("enterprise") else 50,
            "gid": self.gid,
            "createdAt": data.iso(self.created_at),
            "updatedAt": data.iso(self.created_at),
            "workspacetiers": {"data": [tier]},
            "workspace_member_count": len(self.people),
            "workspace_tier": self.tier,
            "emrCluster": None,
        }

    def person(self, person_id: int) -> dict | None:
        return next((p for p in self.people if p["id"] == person_id), None)

    def person_json(self, person: dict) -> dict:
        """A person as `GET /v4/people` lists them (docs/aac-api.md, People)."""
        return {**person, **self.person_details[person["id"]]}

    # Schedules

    def encoded(self, schedule_id: int) -> bytes:
        """A schedule's JSON, serialised once: 1000-item pages stay cheap."""
        body = self._encoded.get(schedule_id)
        if body is None:
            body = self._encoded[schedule_id] = dumps(self.schedules[schedule_id])
        return body

    def changed(self, schedule_id: int | None = None) -> None:
        if schedule_id is not None:
            self._encoded.pop(schedule_id, None)
        self._orders.clear()

    def ordered_ids(self, sort: str) -> list[int]:
        order = self._orders.get(sort)
        if order is None:
            key = sort.lstrip("-")
            if key == "id":
                order = list(self.schedules)
            else:
                order = sorted(self.schedules, key=lambda i: self.schedules[i][key])
            if sort.startswith("-"):
                order.reverse()
            self._orders[sort] = order
        return order

    def visible_schedule_ids(self, person_id: int, sort: str) -> list[int]:
        ids = self.ordered_ids(sort)
        if self.list_scope == "owner":
            ids = [i for i in ids if self.schedules[i]["createdBy"] == person_id]
        return ids

    def check_owner(self, schedule_id: int, person_id: int) -> None:
        """Raise NotOwner unless `person_id` owns the schedule (the owner rule
        of docs/aac-api.md, Schedules)."""
        if self.schedules[schedule_id]["createdBy"] != person_id:
            raise NotOwner(schedule_id)

    # Assets and runs

    def sees(self, asset: Asset, person_id: int) -> bool:
        return self.list_scope == "workspace" or asset.visible_to(person_id)

    def sees_run(self, run: Run, person_id: int) -> bool:
        return self.sees(run.asset, person_id)

    def visible_assets(self, kind: str, person_id: int) -> list[Asset]:
        return [
            a for a in self.assets.by_kind[kind].values() if self.sees(a, person_id)
        ]


@dataclass(frozen=True)
class Caller:
    """Who a verified access token speaks for."""

    workspace: SimWorkspace
    person_id: int
