"""The simulator's state: workspaces and what changes them, tokens, options.

`Simulator` is the one object tests and adapters hold. It is Django-free and
HTTP-free: `aacsim.api.handle` turns requests into calls on it, and the HTTP
server and the `responses` adapter only carry bytes. One re-entrant lock guards
workspaces, schedules, assets and runs; the refresh-token store, the fault set
and the stats have their own.
"""

import random
import secrets
import threading
import time
from collections.abc import Callable

from aacsim import data
from aacsim.assets import KINDS, Assets
from aacsim.credentials import TokensMixin
from aacsim.faults import FaultSet
from aacsim.run_controls import RunsMixin
from aacsim.runs import RunStore
from aacsim.schedules import SchedulesMixin
from aacsim.stats import Stats
from aacsim.tokens import RefreshTokens
from aacsim.workspace import LIST_SCOPES, SimWorkspace, check_choice

JWT_ALPHABETS = ("urlsafe", "standard")


class Simulator(SchedulesMixin, RunsMixin, TokensMixin):
    """A deterministic, in-memory Alteryx Analytics Cloud.

    `access_token_lifetime` (seconds) sets `exp` and `expires_in`;
    `refresh_grace_seconds` keeps a spent refresh token usable that long;
    `revoke_family_on_reuse` makes reuse of a spent one revoke its descendants;
    `list_scope` is the default of each workspace's answer to whether a token
    lists the whole workspace ("workspace") or only its user's ("owner");
    `oddities` adds unknown kinds, huge crons and creator-less schedules;
    `jwt_alphabet="urlsafe"` makes every access token's payload hold
    base64url's `-` and `_`, so a client decoding with the standard alphabet
    fails at once; "standard" makes none do, so Alteryx's example client works;
    `history_days` is how far run history reaches back before a workspace was
    added; `min_run_interval` (seconds) thins triggers that fire more often.
    """

    def __init__(
        self,
        *,
        seed: int = 1,
        access_token_lifetime: int = 3600,
        refresh_grace_seconds: float = 0,
        revoke_family_on_reuse: bool = False,
        list_scope: str = "workspace",
        oddities: bool = True,
        jwt_alphabet: str = "urlsafe",
        history_days: float = 7,
        min_run_interval: float = 1800,
        issuer: str | None = None,
        clock: Callable[[], float] = time.time,
    ):
        check_choice("list_scope", list_scope, LIST_SCOPES)
        check_choice("jwt_alphabet", jwt_alphabet, JWT_ALPHABETS)
        self.seed = seed
        self.access_token_lifetime = access_token_lifetime
        self.refresh_grace_seconds = refresh_grace_seconds
        self.revoke_family_on_reuse = revoke_family_on_reuse
        self.list_scope = list_scope
        self.oddities = oddities
        self.jwt_alphabet = jwt_alphabet
        self.history_days = history_days
        self.min_run_interval = min_run_interval
        self.issuer = issuer
        self.clock = clock
        self.faults = FaultSet()
        self.stats = Stats()
        self.lock = threading.RLock()
        self._secret = secrets.token_bytes(32)
        self._refresh_tokens = RefreshTokens()
        self._workspaces: dict[int, SimWorkspace] = {}
        self._credentials: list[dict] = []

    def __repr__(self) -> str:
        return f"<Simulator seed={self.seed} workspaces={len(self._workspaces)}>"

    # Workspaces and their data

    def add_workspace(
        self,
        *,
        name: str,
        schedules: int = 25,
        people: int = 20,
        list_scope: str | None = None,
        history_days: float | None = None,
    ) -> SimWorkspace:
        """A new workspace; `list_scope` and `history_days` default to the
        simulator's. Its schedules run plans, flows and workflows made with
        them, plus a few that no schedule runs."""
        check_choice("list_scope", list_scope or self.list_scope, LIST_SCOPES)
        with self.lock:
            index = len(self._workspaces)
            rng = data.workspace_rng(self.seed, index)
            identity = data.workspace_identity(rng, index=index, name=name)
            made = data.make_people(rng, count=people, workspace_id=identity["id"])
            family = random.Random(f"aacsim:{self.seed}:{index}:assets")
            origin = self.clock()
            history_days = self.history_days if history_days is None else history_days
            workspace = SimWorkspace(
                index=index,
                id=identity["id"],
                gid=identity["gid"],
                name=name,
                client_id=identity["client_id"],
                project_id=identity["project_id"],
                created_at=identity["created_at"],
                tier=identity["tier"],
                list_scope=list_scope or self.list_scope,
                origin=origin,
                history_days=history_days,
                rng=rng,
                people=made,
                person_details={
                    p["id"]: data.person_details(
                        family, number=n, disabled=p["isDisabled"], now=origin
                    )
                    for n, p in enumerate(made)
                },
                assets=Assets(
                    family,
                    index=index,
                    people=made,
                    origin=origin,
                    history_days=history_days,
                ),
                runs=RunStore(index),
                next_schedule_id=identity["first_schedule_id"],
            )
            self._workspaces[workspace.id] = workspace
            self._generate(workspace, schedules)
            for kind in KINDS:
                unscheduled = len(workspace.assets.by_kind[kind]) * 0.15
                for _ in range(max(2, round(unscheduled))):
                    workspace.assets.make(kind)
        return workspace

    def workspace(self, workspace_id: int) -> SimWorkspace:
        try:
            return self._workspaces[workspace_id]
        except KeyError:
            raise LookupError(f"no simulated workspace {workspace_id}") from None

    @property
    def workspaces(self) -> list[SimWorkspace]:
        with self.lock:
            return list(self._workspaces.values())

    def knows_project(self, project_id: str) -> bool:
        """Whether an API project id is valid at all (the gateway's first check)."""
        with self.lock:
            return any(ws.project_id == project_id for ws in self._workspaces.values())
