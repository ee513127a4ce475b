"""The client against the simulator over real HTTP: a world per test.

A `World` is a simulator on a hand-moved clock, served on free ports by
`aacsim.server.serve`, with one workspace, its admin's token pair and an
`AACClient` holding it. The helpers pick what a call needs (a plan that can
run, a cloud workflow, a run of each kind) from the simulator's own state,
which is also what the tests compare the client's answers with.
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field

from aac import AACClient, Endpoints
from aacsim import Fault, Simulator
from aacsim.assets import Asset
from aacsim.runs import Run
from aacsim.server import Urls, serve
from aacsim.tokens import TokenPair
from aacsim.workspace import SimWorkspace
from tests.clocks import Clock

KINDS = ("plan", "flow", "workflow")
RUN_ENDPOINTS = {"plan": "plans.run", "flow": "flows.run", "workflow": "workflows.run"}


@dataclass
class World:
    sim: Simulator
    urls: Urls
    clock: Clock
    workspace: SimWorkspace
    pair: TokenPair
    client: AACClient
    sleeps: list[float] = field(default_factory=list)

    @property
    def endpoints(self) -> Endpoints:
        return self.client.endpoints

    @property
    def admin(self) -> int:
        """The person of the default pair: the workspace's first, an admin."""
        return self.workspace.people[0]["id"]

    def client_for(self, pair: TokenPair, **options) -> AACClient:
        """A client holding `pair`'s access token; its sleeps are recorded."""
        return AACClient(
            self.endpoints, pair.access_token, sleep=self.sleeps.append, **options
        )

    def pair_for(self, person_id: int) -> TokenPair:
        return self.sim.new_token_pair(self.workspace.id, person_id=person_id)

    def colleagues(self) -> list[int]:
        """The active people other than the admin, in id order."""
        return [
            person["id"]
            for person in self.workspace.people[1:]
            if not person["isDisabled"]
        ]

    def fault(self, **fields) -> None:
        self.sim.faults.add(Fault(workspace=self.workspace.id, **fields))

    def requests(self, endpoint: str) -> int:
        """How many requests the simulator counted on an endpoint here."""
        return self.sim.stats.requests[(self.workspace.id, endpoint)]

    # What the calls need, from the simulator's state

    def assets(self, kind: str) -> list[Asset]:
        return list(self.workspace.assets.by_kind[kind].values())

    def asset_ids(self, kind: str, ownership: str, person_id: int) -> list:
        """The ids of the plans or flows someone sees under `ownershipFilter`,
        in id order."""
        wanted = {
            "all": lambda asset: True,
            "owned": lambda asset: asset.owner == person_id,
            "shared": lambda asset: person_id in asset.shared_with,
        }[ownership]
        return sorted(asset.id for asset in self.assets(kind) if wanted(asset))

    def plan(self, *, runnable: bool = True) -> Asset:
        """A plan whose flows all exist (or, if not `runnable`, one missing one)."""
        missing = self.workspace.assets.missing_flows
        return next(p for p in self.assets("plan") if bool(missing(p)) != runnable)

    def flow(self) -> Asset:
        return self.assets("flow")[0]

    def workflow(self, workflow_type: str = "CLOUD") -> Asset:
        return next(
            w for w in self.assets("workflow") if w.workflow_type == workflow_type
        )

    def most_shared_with(self, kind: str) -> int:
        """The active person with the most assets of a kind shared with them."""
        active = set(self.colleagues()) | {self.admin}
        shares = Counter(
            person
            for asset in self.assets(kind)
            for person in asset.shared_with
            if person in active
        )
        return shares.most_common(1)[0][0]

    def schedule_of(self, person_id: int) -> dict:
        return next(
            s
            for s in self.sim.schedules(self.workspace.id)
            if s["createdBy"] == person_id
        )

    def runs(self) -> list[Run]:
        """Every run so far, oldest first (history made up to the clock)."""
        self.sim.run_count(self.workspace.id)
        return list(self.workspace.runs.runs)

    def runs_after(self, count: int) -> list[Run]:
        """The runs made after the first `count`: those a test started."""
        return self.runs()[count:]

    def run_of(self, kind: str, *, finished: bool = True) -> Run:
        """The newest run of an asset kind, finished or not yet."""
        now = self.clock()
        return next(
            run
            for run in reversed(self.runs())
            if run.asset.kind == kind and (run.finished_at(now) is not None) == finished
        )

    def run_id(self, run: Run) -> int:
        """A plan snapshot run's, flow run's or workflow job's id."""
        return self.workspace.runs.run_id(run)

    def job_group_id(self, run: Run) -> int:
        return self.workspace.runs.job_group_id(run)

    def start(
        self,
        kind: str,
        *,
        client: AACClient | None = None,
        execution_id: str | None = None,
    ):
        """Run a plan, a flow or a cloud workflow through the client."""
        pick = {"plan": self.plan, "flow": self.flow, "workflow": self.workflow}
        run = getattr(client or self.client, f"run_{kind}")
        return run(pick[kind]().id, execution_id=execution_id)

    def unfinished_plan_run(self) -> int:
        """Start a plan that runs for an hour; its plan snapshot run id."""
        plan = self.plan()
        self.sim.set_next_run(
            self.workspace.id, "plan", plan.id, duration=3600, queued=0
        )
        return self.client.run_plan(plan.id).plan_snapshot_run_id


class Worlds:
    """Makes worlds for one test and stops their servers after it."""

    def __init__(self, stack: ExitStack, clock: Clock):
        self.stack = stack
        self.clock = clock

    def __call__(
        self,
        *,
        schedules: int = 40,
        people: int = 20,
        history_days: float = 2,
        client_options: dict | None = None,
        **sim_options,
    ) -> World:
        sim = Simulator(
            **{"seed": 5, "clock": self.clock, "history_days": history_days}
            | sim_options
        )
        urls = self.stack.enter_context(serve(sim))
        workspace = sim.add_workspace(
            name="Client over HTTP", schedules=schedules, people=people
        )
        pair = sim.new_token_pair(workspace.id)
        sleeps: list[float] = []
        client = AACClient(
            Endpoints(urls.api, urls.gateway, urls.issuer, urls.token_url),
            pair.access_token,
            sleep=sleeps.append,
            **(client_options or {}),
        )
        return World(sim, urls, self.clock, workspace, pair, client, sleeps)


def everything(pages: Iterable[list]) -> list:
    """Every item of a paged list, in order."""
    return [item for page in pages for item in page]


def ids(items: Iterable[dict]) -> list:
    return [item["id"] for item in items]


def first_page(result):
    """A list call's first page; any other call's answer as it is."""
    return next(result) if isinstance(result, Iterator) else result
