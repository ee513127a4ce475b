"""The simulator's state: workspaces, their people and schedules, tokens, stats.

`Simulator` is the one object tests and adapters hold. It is Django-free and
HTTP-free: `aacsim.api.handle` turns requests into calls on it, and the HTTP
server and the `responses` adapter only carry bytes. One re-entrant lock guards
workspaces and schedules; the refresh-token store, the fault set and the stats
have their own.
"""

import copy
import json
import random
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from aacsim import data
from aacsim.faults import FaultSet
from aacsim.tokens import RefreshTokens, TokenPair, decode_jwt, encode_jwt

LIST_SCOPES = ("workspace", "owner")
SORTS = ("id", "-id", "updatedAt", "-updatedAt", "name", "-name")
_SCOPES = ("openid", "profile", "email", "offline_access")


def dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class Stats:
    """Thread-safe counters: successful refreshes per workspace id, and
    requests per (workspace id or None, endpoint name)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.refreshes: Counter[int] = Counter()
        self.requests: Counter[tuple[int | None, str]] = Counter()

    def count_refresh(self, workspace_id: int) -> None:
        with self._lock:
            self.refreshes[workspace_id] += 1

    def count_request(self, workspace_id: int | None, endpoint: str) -> None:
        with self._lock:
            self.requests[(workspace_id, endpoint)] += 1

    def reset(self) -> None:
        with self._lock:
            self.refreshes.clear()
            self.requests.clear()

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "refreshes": [
                    {"workspace": ws, "count": n} for ws, n in self.refreshes.items()
                ],
                "requests": [
                    {"workspace": ws, "endpoint": endpoint, "count": n}
                    for (ws, endpoint), n in self.requests.items()
                ],
            }


@dataclass(eq=False)
class SimWorkspace:
    """One AAC workspace. Its schedules dict stays in ascending id order."""

    index: int
    id: int
    gid: str
    name: str
    client_id: str
    project_id: str
    created_at: int
    tier: str
    rng: random.Random = field(repr=False)
    people: list[dict] = field(repr=False)
    schedules: dict[int, dict] = field(default_factory=dict, repr=False)
    next_schedule_id: int = field(default=0, repr=False)
    _encoded: dict[int, bytes] = field(default_factory=dict, repr=False)
    _orders: dict[str, list[int]] = field(default_factory=dict, repr=False)

    def as_json(self) -> dict:
        """The body of GET /v4/workspaces/current, shaped like the answer
        recorded in Alteryx's example README [example]."""
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


@dataclass(frozen=True)
class Caller:
    """Who a verified access token speaks for."""

    workspace: SimWorkspace
    person_id: int


class Simulator:
    """A deterministic, in-memory Alteryx Analytics Cloud.

    `access_token_lifetime` (seconds) sets `exp` and `expires_in`;
    `refresh_grace_seconds` keeps a spent refresh token usable that long;
    `revoke_family_on_reuse` makes reuse of a spent one revoke its descendants;
    `list_scope` answers the open question whether a token lists the whole
    workspace's schedules ("workspace") or only its user's ("owner");
    `oddities` adds unknown kinds, huge crons and creator-less schedules;
    `urlsafe_jwt_payloads` makes every access token's payload hold base64url's
    `-` and `_` (off: none do, as with most real tokens, so a client decoding
    with the standard alphabet, like Alteryx's example, works).
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
        urlsafe_jwt_payloads: bool = True,
        issuer: str | None = None,
        clock: Callable[[], float] = time.time,
    ):
        if list_scope not in LIST_SCOPES:
            raise ValueError(f"list_scope must be one of {LIST_SCOPES}")
        self.seed = seed
        self.access_token_lifetime = access_token_lifetime
        self.refresh_grace_seconds = refresh_grace_seconds
        self.revoke_family_on_reuse = revoke_family_on_reuse
        self.list_scope = list_scope
        self.oddities = oddities
        self.urlsafe_jwt_payloads = urlsafe_jwt_payloads
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
        self, *, name: str, schedules: int = 25, people: int = 20
    ) -> SimWorkspace:
        with self.lock:
            index = len(self._workspaces)
            rng = data.workspace_rng(self.seed, index)
            identity = data.workspace_identity(rng, index=index, name=name)
            workspace = SimWorkspace(
                index=index,
                id=identity["id"],
                gid=identity["gid"],
                name=name,
                client_id=identity["client_id"],
                project_id=identity["project_id"],
                created_at=identity["created_at"],
                tier=identity["tier"],
                rng=rng,
                people=data.make_people(rng, count=people, workspace_id=identity["id"]),
                next_schedule_id=identity["first_schedule_id"],
            )
            self._workspaces[workspace.id] = workspace
            self._generate(workspace, schedules)
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

    def _generate(self, workspace: SimWorkspace, count: int) -> list[dict]:
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

    def set_enabled(
        self, caller: Caller, schedule_id: int, enabled: bool
    ) -> dict | None:
        with self.lock:
            workspace = caller.workspace
            if schedule_id not in workspace.schedules:
                return None
            return self._update(
                workspace,
                schedule_id,
                caller.person_id,
                enabled=enabled,
                disableReason=None if enabled else "Disabled by user",
            )

    def _update(
        self, workspace: SimWorkspace, schedule_id: int, person_id: int, **fields
    ) -> dict:
        schedule = workspace.schedules[schedule_id]
        schedule.update(fields, updatedAt=data.iso(self.clock()), updatedBy=person_id)
        workspace.changed(schedule_id)
        return copy.deepcopy(schedule)

    # Tokens

    def new_token_pair(
        self,
        workspace_id: int,
        *,
        person_id: int | None = None,
        refresh_token_lifetime_days: int = 365,
    ) -> TokenPair:
        """A fresh pair, as AAC's "Generate token" dialog makes one.

        By default for the workspace's first person, an admin.
        """
        workspace = self.workspace(workspace_id)
        person_id = person_id or workspace.people[0]["id"]
        if workspace.person(person_id) is None:
            raise LookupError(f"no person {person_id} in workspace {workspace_id}")
        refresh_token = self._refresh_tokens.issue(
            workspace_id=workspace.id,
            person_id=person_id,
            client_id=workspace.client_id,
            expires_at=self.clock() + refresh_token_lifetime_days * 86400,
        )
        pair = TokenPair(
            access_token=self._access_token(workspace, person_id),
            refresh_token=refresh_token,
            client_id=workspace.client_id,
            expires_in=self.access_token_lifetime,
        )
        with self.lock:
            self._credentials.append(
                {
                    "workspace": {
                        "id": workspace.id,
                        "gid": workspace.gid,
                        "name": workspace.name,
                        "client_id": workspace.client_id,
                        "project_id": workspace.project_id,
                    },
                    "access_token": pair.access_token,
                    "refresh_token": pair.refresh_token,
                    "expires_in": pair.expires_in,
                }
            )
        return pair

    def credentials(self) -> list[dict]:
        """Every pair `new_token_pair` handed out, as first issued."""
        with self.lock:
            return copy.deepcopy(self._credentials)

    def refresh(self, refresh_token: str, *, client_id: str) -> TokenPair:
        """Rotate a refresh token; raises `InvalidGrant` when it is spent."""
        record, successor = self._refresh_tokens.rotate(
            refresh_token,
            client_id=client_id,
            now=self.clock(),
            grace_seconds=self.refresh_grace_seconds,
            revoke_family_on_reuse=self.revoke_family_on_reuse,
        )
        workspace = self.workspace(record.workspace_id)
        self.stats.count_refresh(workspace.id)
        return TokenPair(
            access_token=self._access_token(workspace, record.person_id),
            refresh_token=successor,
            client_id=workspace.client_id,
            expires_in=self.access_token_lifetime,
        )

    def refresh_token_workspace(self, refresh_token: str) -> int | None:
        return self._refresh_tokens.workspace_of(refresh_token)

    def _access_token(self, workspace: SimWorkspace, person_id: int) -> str:
        if self.issuer is None:
            raise RuntimeError(
                "the simulator has no issuer yet: serve() or mount() it first, "
                "or pass Simulator(issuer=...)"
            )
        now = int(self.clock())
        claims = {
            "iss": self.issuer,
            "sub": str(person_id),
            "client_id": workspace.client_id,
            "scope": [*_SCOPES, f"w:{workspace.gid}"],
            "iat": now,
            "exp": now + self.access_token_lifetime,
        }
        return encode_jwt(claims, self._secret, urlsafe_chars=self.urlsafe_jwt_payloads)

    def authenticate(self, access_token: str) -> Caller | None:
        """Who the token speaks for, or None if it is unknown or expired."""
        claims = decode_jwt(access_token, self._secret)
        if not claims or not claims.get("exp", 0) > self.clock():
            return None
        gids = {s[2:] for s in claims.get("scope", ()) if s.startswith("w:")}
        with self.lock:
            workspace = next(
                (ws for ws in self._workspaces.values() if ws.gid in gids), None
            )
        if workspace is None:
            return None
        return Caller(workspace=workspace, person_id=int(claims["sub"]))
