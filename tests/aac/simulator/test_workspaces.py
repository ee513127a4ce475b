"""Workspace identity over HTTP, on the v4 host and through the gateway."""

import pytest

from aac import parse_access_token
from aac.errors import InvalidProjectId
from aac.jwt import check_issuer


def test_it_reads_the_workspace_a_token_belongs_to(world):
    answer = world.client.current_workspace()

    workspace = world.workspace
    assert (answer["id"], answer["gid"], answer["name"]) == (
        workspace.id,
        workspace.gid,
        workspace.name,
    )
    claims = parse_access_token(world.pair.access_token)
    assert claims.workspace_gid == workspace.gid
    assert claims.client_id == workspace.client_id
    lifetime = world.sim.access_token_lifetime
    assert claims.exp.timestamp() == world.clock() + lifetime
    check_issuer(claims, world.endpoints.issuer)


def test_the_gateway_checks_the_project_id(world):
    answer = world.client.current_workspace_via_gateway(world.workspace.project_id)

    assert answer["gid"] == world.workspace.gid
    with pytest.raises(InvalidProjectId, match="Invalid ApiKey"):
        world.client.current_workspace_via_gateway("not-the-project-id")
