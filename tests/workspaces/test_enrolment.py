"""Adding a connection: each takes a slot, the bit it marks in `seen_by`."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_connection, make_workspace
from workspaces.enrolment import add_connection
from workspaces.models import MAX_CONNECTIONS, Connection

pytestmark = pytest.mark.django_db


def test_a_workspace_full_of_connections_refuses_one_more_and_stores_nothing():
    workspace = make_workspace(connection=False)
    for _ in range(MAX_CONNECTIONS):
        make_connection(workspace)

    with pytest.raises(ValidationError, match=f"at most {MAX_CONNECTIONS} connections"):
        add_connection(
            Connection(workspace=workspace, client_id="client"),
            access_token="unused",
            refresh_token="unused",
        )

    assert workspace.connections.count() == MAX_CONNECTIONS
    assert sorted(workspace.connections.values_list("slot", flat=True)) == list(
        range(MAX_CONNECTIONS)
    )
