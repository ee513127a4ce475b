import pytest

from aac.errors import AuthError, InvalidProjectId, ProtocolError
from tests.aac.answers import WORKSPACE
from tests.aac.conftest import API, GATEWAY
from tests.aac.tokens import ACCESS_TOKEN

CURRENT = f"{API}/v4/workspaces/current"
VIA_GATEWAY = f"{GATEWAY}/iam/v1/workspaces/current"


def test_it_reads_the_workspace_of_the_token(client, rsps):
    rsps.get(CURRENT, json={**WORKSPACE, "custom_url": "demo"})

    assert client.current_workspace() == {**WORKSPACE, "custom_url": "demo"}


def test_it_calls_the_gateway_with_the_project_id(client, rsps):
    rsps.get(VIA_GATEWAY, json=WORKSPACE)

    assert client.current_workspace_via_gateway("proj-123") == WORKSPACE
    headers = rsps.calls[0].request.headers
    assert headers["x-api-project-id"] == "proj-123"
    assert headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"


def test_it_tells_a_wrong_project_id_from_a_bad_token(client, rsps):
    fault = {
        "faultstring": "Invalid ApiKey",
        "detail": {"errorcode": "oauth.v2.InvalidApiKey"},
    }
    rsps.get(VIA_GATEWAY, status=401, json={"fault": fault})

    with pytest.raises(InvalidProjectId) as info:
        client.current_workspace_via_gateway("wrong")

    assert not isinstance(info.value, AuthError)
    assert "Invalid ApiKey" in str(info.value)
    assert info.value.code == "oauth.v2.InvalidApiKey"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({**WORKSPACE, "gid": None}, "`gid`"),
        ({**WORKSPACE, "id": "7"}, "`id`"),
        ({**WORKSPACE, "id": True}, "`id`"),
        ({key: v for key, v in WORKSPACE.items() if key != "state"}, "`state`"),
        ([WORKSPACE], "not a JSON object"),
    ],
)
def test_it_refuses_a_workspace_of_the_wrong_shape(client, rsps, body, problem):
    rsps.get(CURRENT, json=body, headers={"x-trifacta-request-id": "r2"})

    with pytest.raises(ProtocolError) as info:
        client.current_workspace()

    assert problem in str(info.value)
    assert info.value.request_id == "r2"
    assert len(rsps.calls) == 1
