import requests
import responses

from aacsim import Simulator
from aacsim.responses_adapter import mount


def test_it_serves_a_token_server_on_its_own_host():
    sim = Simulator(seed=1, issuer="https://pingauth.sim.test/as")
    with responses.RequestsMock() as rsps:
        mount(sim, rsps, api_url="https://sim.test", gateway_url="https://api.sim.test")
        workspace = sim.add_workspace(name="W", schedules=3)
        pair = sim.new_token_pair(workspace.id)

        answer = requests.post(
            "https://pingauth.sim.test/as/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": pair.refresh_token,
                "client_id": pair.client_id,
            },
            timeout=5,
        )

    assert answer.status_code == 200
    assert sim.stats.refreshes[workspace.id] == 1


def test_it_sets_the_issuer_from_the_api_url_and_tolerates_unused_callbacks():
    sim = Simulator(seed=1)
    with responses.RequestsMock() as rsps:
        mount(sim, rsps, api_url="https://sim.test/")
        answer = requests.get("https://sim.test/_sim/health", timeout=5)

    assert sim.issuer == "https://sim.test/as"
    assert answer.json()["ok"] is True
