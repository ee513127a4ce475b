"""Clients for a workspace: endpoints from settings alone, never from the database."""

import pytest

from workspaces.clients import client_for

pytestmark = pytest.mark.django_db


def test_it_builds_clients_from_the_region_in_settings(aac_sim, make_sim_workspace):
    _, workspace = make_sim_workspace("Endpoints")

    client = client_for(workspace)

    assert client.endpoints.api_url == aac_sim.urls.api
    assert client.endpoints.token_url == aac_sim.urls.token_url


def test_it_follows_a_change_of_the_regions_in_settings(
    aac_sim, make_sim_workspace, settings
):
    _, workspace = make_sim_workspace("Moved")
    moved = {**settings.AAC_REGIONS["sim"], "api_url": "https://elsewhere.example"}
    settings.AAC_REGIONS = {**settings.AAC_REGIONS, "sim": moved}

    assert client_for(workspace).endpoints.api_url == "https://elsewhere.example"
