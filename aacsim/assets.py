"""Plans, flows and workflows of a workspace: what schedules' tasks run.

Assets are made on demand while schedules are generated, so every `runPlan`,
`runFlow` and `runWorkflow` task points at an asset of the schedule's owner
that exists in the workspace, with the same id and name (docs/aac-api.md,
Schedules: only an asset's owner may change its schedule); a share of assets
is run by no schedule. Each asset also carries what its run history needs: how
long it usually runs, how often it fails, and for some a stretch of days in
which every run fails with one message.
"""

import random
from dataclasses import dataclass

from aacsim import data, vocabulary

KINDS = ("plan", "flow", "workflow")
TASK_KINDS = {"runPlan": "plan", "runFlow": "flow", "runWorkflow": "workflow"}
ID_FIELDS = {"plan": "planId", "flow": "flowId", "workflow": "workflowId"}
# Plans and flows have integer ids in their own range per workspace index.
ID_OFFSETS = {"plan": 500_000, "flow": 700_000}
_KIND_WORDS = {"plan": "plan", "flow": "flow", "workflow": "workflow"}
_DAY = 86400


@dataclass(eq=False, slots=True)
class Asset:
    """One plan, flow or workflow, and how its runs tend to go.

    `streak` is (from, until, message): every run created in that window
    fails with that message. `adhoc` is ("ui" | "api", hours): besides any
    schedule, someone starts it about every that many hours.
    """

    kind: str
    serial: int
    id: int | str
    name: str
    description: str
    owner: int
    shared_with: tuple[int, ...]
    created_at: float
    updated_at: float
    typical_seconds: float
    fail_rate: float
    streak: tuple[float, float, str] | None
    adhoc: tuple[str, int] | None
    workflow_type: str | None = None
    flow_ids: tuple[int, ...] = ()

    def visible_to(self, person_id: int) -> bool:
        return person_id == self.owner or person_id in self.shared_with

    def task_fields(self, workspace_id: int) -> dict:
        """The asset as a schedule's task expands it (docs/aac-api.md, Schedules)."""
        fields: dict = {ID_FIELDS[self.kind]: self.id, "name": self.name}
        if self.workflow_type:
            fields["type"] = self.workflow_type
        return {
            **fields,
            "description": self.description,
            "workspaceId": workspace_id,
            "createdAt": data.iso(self.created_at),
            "updatedAt": data.iso(self.updated_at),
            "creator": {"id": self.owner},
        }

    def failure_message(self, unit: float) -> str:
        messages = vocabulary.ERRORS[self.kind] + vocabulary.SHARED_ERRORS
        return messages[int(unit * len(messages))]


class Assets:
    """A workspace's assets by kind, in id order, made on demand.

    `origin` (epoch seconds) anchors the failure streaks: they fall in the
    `history_days` before it or in the two days after.
    """

    def __init__(
        self,
        rng: random.Random,
        *,
        index: int,
        people: list[dict],
        origin: float,
        history_days: float,
    ):
        self._rng = rng
        self._base = 1_000_000 * (index + 1)
        self._people = [p["id"] for p in people]
        self._origin = origin
        self._history_days = history_days
        self.by_kind: dict[str, dict] = {kind: {} for kind in KINDS}
        self._by_owner: dict[tuple[str, int], list[Asset]] = {}
        self.run_by_hand: list[Asset] = []  # those with `adhoc` set
        self._serial = 0

    def get(self, kind: str, asset_id) -> Asset | None:
        return self.by_kind[kind].get(asset_id)

    def of_task(self, task: dict) -> Asset | None:
        """The asset a schedule's task runs, if it is a plan, flow or workflow."""
        for task_kind, kind in TASK_KINDS.items():
            if task_kind in task:
                return self.get(kind, task[task_kind].get(ID_FIELDS[kind]))
        return None

    def pick(self, kind: str, owner: int) -> Asset:
        """One of the owner's assets of that kind, often a new one."""
        own = self._by_owner.get((kind, owner))
        if own and self._rng.random() < 0.3:
            return self._rng.choice(own)
        return self.make(kind, owner)

    def make(self, kind: str, owner: int | None = None) -> Asset:
        rng = self._rng
        # Taken first: a plan makes its flows below, and each needs its own
        # serial (runs, scripts and the latest run are kept by serial).
        serial = self._serial
        self._serial += 1
        owner = owner if owner is not None else rng.choice(self._people)
        count = len(self.by_kind[kind])
        created = rng.uniform(data.EPOCH_START, data.EPOCH_END)
        if kind == "workflow":
            asset_id: int | str = data.ulid(rng, int(created * 1000))
        else:
            asset_id = self._base + ID_OFFSETS[kind] + count + 1
        others = [p for p in self._people if p != owner]
        shared = rng.sample(others, min(len(others), rng.choice((0, 0, 0, 1, 2))))
        base = rng.choice(vocabulary.SCHEDULE_NAMES)
        asset = Asset(
            kind=kind,
            serial=serial,
            id=asset_id,
            name=f"{base} {_KIND_WORDS[kind]} {count + 1}",
            description=rng.choice(vocabulary.DESCRIPTIONS),
            owner=owner,
            shared_with=tuple(sorted(shared)),
            created_at=created,
            updated_at=rng.uniform(created, data.EPOCH_END),
            typical_seconds=self._typical_seconds(),
            fail_rate=rng.choices((0.02, 0.15, 0.5), (70, 22, 8))[0],
            streak=self._streak(kind),
            adhoc=self._adhoc(),
        )
        if kind == "workflow":
            asset.workflow_type = rng.choice(("CLOUD", "CLOUD", "DESKTOP"))
        if kind == "plan":
            flows = {self.pick("flow", owner).id for _ in range(rng.randint(1, 3))}
            asset.flow_ids = tuple(sorted(flows))
            if rng.random() < 0.03:
                self._lose_a_flow(asset)
        self.by_kind[kind][asset_id] = asset
        self._by_owner.setdefault((kind, owner), []).append(asset)
        if asset.adhoc is not None:
            self.run_by_hand.append(asset)
        return asset

    def _lose_a_flow(self, plan: Asset) -> None:
        """Point one of the plan's tasks at a flow that no longer exists: its
        runs fail, and running it answers `MissingFlowReferences`."""
        gone = self._base + ID_OFFSETS["flow"] - plan.serial - 1
        plan.flow_ids = (*plan.flow_ids, gone)
        message = f"Plan task references flow {gone}, which no longer exists"
        plan.streak = (float("-inf"), float("inf"), message)

    def missing_flows(self, plan: Asset) -> list[int]:
        return [i for i in plan.flow_ids if i not in self.by_kind["flow"]]

    def _typical_seconds(self) -> float:
        if self._rng.random() < 0.1:  # the long runners
            return self._rng.uniform(40, 180) * 60
        return self._rng.uniform(20, 900)

    def _streak(self, kind: str) -> tuple[float, float, str] | None:
        if self._rng.random() >= 0.08:
            return None
        start = self._origin + self._rng.uniform(-self._history_days, 2) * _DAY
        messages = vocabulary.ERRORS[kind] + vocabulary.SHARED_ERRORS
        return start, start + self._rng.uniform(1, 5) * _DAY, self._rng.choice(messages)

    def _adhoc(self) -> tuple[str, int] | None:
        draw = self._rng.random()
        if draw < 0.12:
            return "ui", self._rng.randint(24, 72)
        if draw < 0.17:
            return "api", self._rng.randint(2, 8)
        return None
