"""Fixtures for the simulator's own tests: one simulator per test, reached with
plain `requests` over real HTTP or through the `responses` adapter."""

from contextlib import ExitStack
from dataclasses import dataclass

import pytest
import requests
import responses

from aacsim import Simulator
from aacsim.responses_adapter import mount
from aacsim.server import serve
from aacsim.tokens import TokenPair
from aacsim.workspace import SimWorkspace


@dataclass
class Remote:
    """A simulator as a client sees it: base URLs and an HTTP session."""

    sim: Simulator
    api: str
    gateway: str
    http: requests.Session

    @property
    def token_url(self) -> str:
        return f"{self.sim.issuer}/token"

    def workspace(self, name="Test", schedules=40) -> tuple[SimWorkspace, TokenPair]:
        workspace = self.sim.add_workspace(name=name, schedules=schedules)
        return workspace, self.sim.new_token_pair(workspace.id)

    def refresh(self, refresh_token: str, client_id: str) -> requests.Response:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": client_id,
        }
        return self.http.post(self.token_url, data=form, timeout=5)

    def get(self, path: str, pair: TokenPair | None = None, **kwargs):
        return self.call("GET", path, pair, **kwargs)

    def post(self, path: str, pair: TokenPair | None = None, **kwargs):
        return self.call("POST", path, pair, **kwargs)

    def control(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, f"{self.api}/_sim{path}", timeout=5, **kwargs)

    def call(self, method: str, path: str, pair: TokenPair | None = None, **kwargs):
        headers = kwargs.pop("headers", {})
        if pair is not None:
            headers["Authorization"] = f"Bearer {pair.access_token}"
        base = self.gateway if path.startswith("/iam/") else self.api
        kwargs.setdefault("timeout", 5)
        return self.http.request(method, base + path, headers=headers, **kwargs)


@pytest.fixture(params=["http", "responses"])
def connect(request):
    """Build a simulator with the given options, reachable through a transport."""
    with ExitStack() as stack:

        def connect(**options) -> Remote:
            sim = Simulator(**{"seed": 3, **options})
            if request.param == "http":
                urls = stack.enter_context(serve(sim))
                api, gateway = urls.api, urls.gateway
            else:
                api, gateway = "https://sim.test", "https://api.sim.test"
                mount(sim, stack.enter_context(responses.RequestsMock()), api, gateway)
            return Remote(sim, api, gateway, stack.enter_context(requests.Session()))

        yield connect


@pytest.fixture
def remote(connect) -> Remote:
    return connect()


@pytest.fixture
def served():
    """A simulator over real HTTP only, for what needs sockets and threads."""
    sim = Simulator(seed=3)
    with serve(sim) as urls, requests.Session() as http:
        yield Remote(sim, urls.api, urls.gateway, http)
