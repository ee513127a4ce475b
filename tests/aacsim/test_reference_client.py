"""Alteryx's own example flow, at the protocol level, against the simulator.

The steps of `get_workspace.py` from alteryx/cloud-api-example-code (read the
payload of the access token, refresh at `{iss}/token` with the client id found
there, call the gateway's current workspace) and of the seed tutorial's
schedules call, with nothing changed but the hosts. The example decodes the
payload with the standard base64 alphabet: it works against the simulator's
`jwt_alphabet="standard"` mode (the demo's), never against the strict one.
"""

import base64
import binascii
import json
import urllib.parse
import urllib.request

import pytest
import requests

from aacsim import Simulator
from aacsim.server import serve


def decode_payload(access_token: str) -> dict:
    payload = access_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def refresh_with_the_tokens_own_issuer(creds: dict) -> dict:
    info = decode_payload(creds["access_token"])
    body = {
        "grant_type": "refresh_token",
        "refresh_token": creds["refresh_token"],
        "client_id": info["client_id"],
    }
    answer = requests.post(f"{info['iss']}/token", data=body, timeout=5)
    answer.raise_for_status()
    return answer.json()


def current_workspace(gateway: str, access_token: str, project_id: str) -> dict:
    headers = {
        "Authorization": f"Bearer {access_token}",
        "x-api-project-id": project_id,
        "User-Agent": "my_app",
    }
    answer = requests.get(
        f"{gateway}/iam/v1/workspaces/current", headers=headers, timeout=5
    )
    answer.raise_for_status()
    return answer.json()


def test_alteryxs_example_flow_works(served):
    workspace, pair = served.workspace("lukes-test-workspace")
    creds = {"access_token": pair.access_token, "refresh_token": pair.refresh_token}

    new_creds = refresh_with_the_tokens_own_issuer(creds)
    answer = current_workspace(
        served.gateway, new_creds["access_token"], workspace.project_id
    )

    assert {"id", "name", "gid", "state"} <= set(answer)
    assert (answer["id"], answer["gid"]) == (workspace.id, workspace.gid)
    # The example saves the new pair; the next run must start from it.
    assert refresh_with_the_tokens_own_issuer(new_creds)["access_token"]


def the_examples_refresh(creds: dict) -> dict:
    """`get_access_token` of the example, step by step: standard-alphabet
    decoding, a form POST with urllib, the answer saved as the new creds."""
    payload = creds["access_token"].split(".")[1]
    info = json.loads(base64.b64decode(f"{payload}===="))
    body = {
        "grant_type": "refresh_token",
        "refresh_token": creds["refresh_token"],
        "client_id": info["client_id"],
    }
    encoded_body = urllib.parse.urlencode(body).encode()
    request = urllib.request.Request(
        f"{info['iss']}/token", data=encoded_body, method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def the_examples_workspace_call(aac_url: str, access_token: str, project_id: str):
    headers = {
        "Authorization": f"Bearer {access_token}",
        "x-api-project-id": project_id,
        "User-Agent": "my_app",
    }
    request = urllib.request.Request(
        f"{aac_url}/iam/v1/workspaces/current", headers=headers
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


@pytest.fixture
def standard():
    """The demo's simulator: tokens a standard-alphabet decoder reads."""
    sim = Simulator(seed=3, jwt_alphabet="standard")
    with serve(sim) as urls:
        yield sim, urls


def test_the_example_client_works_unchanged_in_the_standard_alphabet_mode(standard):
    sim, urls = standard
    workspace = sim.add_workspace(name="lukes-test-workspace", schedules=5)
    pair = sim.new_token_pair(workspace.id)
    creds = {"access_token": pair.access_token, "refresh_token": pair.refresh_token}

    answers = []
    for _ in range(25):  # each run of the example starts from the saved creds
        creds = the_examples_refresh(creds)
        answers.append(
            the_examples_workspace_call(
                urls.gateway, creds["access_token"], workspace.project_id
            )
        )

    assert {(a["id"], a["name"]) for a in answers} == {(workspace.id, workspace.name)}
    assert sim.stats.refreshes[workspace.id] == 25


def test_the_example_client_fails_on_the_strict_alphabet(served):
    _, pair = served.workspace()
    creds = {"access_token": pair.access_token, "refresh_token": pair.refresh_token}

    with pytest.raises((binascii.Error, UnicodeDecodeError, json.JSONDecodeError)):
        the_examples_refresh(creds)


def test_the_tutorials_schedules_call_works(served):
    workspace, pair = served.workspace(schedules=80)

    answer = requests.get(
        f"{served.api}/v4/schedules",
        headers={
            "Authorization": f"Bearer {pair.access_token}",
            "x-trifacta-workspace-id": str(workspace.id),
        },
        params={"limit": 100},
        timeout=5,
    )
    answer.raise_for_status()

    last_runs = [
        schedule["triggers"][0].get("lastExecutionTime")
        for schedule in answer.json()["data"]
    ]
    assert len(last_runs) == 80
    assert any(last_runs)
    assert not all(last_runs)


@pytest.mark.parametrize("header", ["x-client-id", None])
def test_the_gateway_refuses_the_example_without_the_current_project_header(
    served, header
):
    workspace, pair = served.workspace()
    headers = {"Authorization": f"Bearer {pair.access_token}", "User-Agent": "my_app"}
    if header:
        headers[header] = workspace.client_id

    answer = requests.get(
        f"{served.gateway}/iam/v1/workspaces/current", headers=headers, timeout=5
    )

    assert answer.status_code == 401
    assert answer.json()["fault"]["faultstring"] == "Invalid ApiKey"
