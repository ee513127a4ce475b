"""Fault injection: what can go wrong between AAC and its client, on demand
(docs/aac-api.md, What the simulator must do).

A `Fault` names a kind, which requests it hits (workspace and endpoint) and when
(skip the first `after` matching requests, then fire `times` times or forever).
Faults are values; `FaultSet` holds them with their counters, behind a lock,
and decides which fire for each request.
"""

import threading
from dataclasses import asdict, dataclass

ENDPOINTS = (
    "token",
    "workspaces.current",
    "gateway.workspaces.current",
    "schedules.list",
    "schedules.count",
    "schedules.get",
    "schedules.enable",
    "schedules.disable",
    "schedules.delete",
    "people.list",
    "plans.list",
    "plans.count",
    "plans.full",
    "plans.run",
    "flows.list",
    "flows.run",
    "workflows.list",
    "workflows.service.list",
    "workflows.run",
    "runs.plan.list",
    "runs.plan.get",
    "runs.plan.cancel",
    "runs.flow.get",
    "runs.flow.status",
    "jobGroups.get",
    "jobGroups.status",
    "jobLibrary.list",
)
# Answer instead of the service: the request never acts.
ANSWERING = ("status", "rate_limit", "html")
# Let the service act, then break its answer: the client cannot know it acted.
BREAKING = ("timeout", "drop", "malformed_json", "wrong_types", "missing_data")
KINDS = ("latency", "mutate", *ANSWERING, *BREAKING)


@dataclass(frozen=True)
class Fault:
    kind: str
    workspace: int | None = None
    endpoint: str = "*"
    after: int = 0
    times: int | None = None
    seconds: float | None = None
    status: int | None = None
    retry_after: float | None = None
    add: int = 0
    remove: int = 0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {KINDS}")
        if self.endpoint != "*" and self.endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {self.endpoint!r}; one of {ENDPOINTS}")
        if self.after < 0 or (self.times is not None and self.times < 1):
            raise ValueError("after must be >= 0 and times >= 1 (or None)")
        if self.kind in ("latency", "timeout") and not (self.seconds or 0) > 0:
            raise ValueError(f"a {self.kind} fault needs seconds > 0")
        if self.kind == "status" and not (
            self.status is not None and 400 <= self.status <= 599
        ):
            raise ValueError("a status fault needs a status between 400 and 599")
        if self.kind == "mutate" and min(self.add, self.remove) < 0:
            raise ValueError("add and remove must be >= 0")

    def matches(self, workspace_id: int | None, endpoint: str) -> bool:
        return (self.workspace is None or self.workspace == workspace_id) and (
            self.endpoint in ("*", endpoint)
        )


@dataclass
class _Armed:
    fault: Fault
    seen: int = 0
    fired: int = 0


class FaultSet:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: dict[int, _Armed] = {}
        self._next_id = 1

    def add(self, fault: Fault) -> int:
        with self._lock:
            fault_id = self._next_id
            self._next_id += 1
            self._armed[fault_id] = _Armed(fault)
        return fault_id

    def remove(self, fault_id: int) -> bool:
        with self._lock:
            return self._armed.pop(fault_id, None) is not None

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()

    def describe(self) -> list[dict]:
        with self._lock:
            return [
                {"id": fault_id, **asdict(armed.fault), "fired": armed.fired}
                for fault_id, armed in self._armed.items()
            ]

    def fire(self, workspace_id: int | None, endpoint: str) -> list[Fault]:
        """The faults this request triggers, counting it against each match.

        Every latency and mutate fault that is due fires; of the others only
        the first due one (in the order added) fires, and the rest keep their
        remaining `times` for later requests.
        """
        fired: list[Fault] = []
        decided = False
        with self._lock:
            for armed in self._armed.values():
                fault = armed.fault
                if not fault.matches(workspace_id, endpoint):
                    continue
                armed.seen += 1
                due = armed.seen > fault.after and (
                    fault.times is None or armed.fired < fault.times
                )
                if not due or (decided and fault.kind not in ("latency", "mutate")):
                    continue
                decided = decided or fault.kind not in ("latency", "mutate")
                armed.fired += 1
                fired.append(fault)
        return fired
