"""Which connection may act on an object: the owner's for a change, any that sees it
for a run (the owner's first), never one needing re-authorisation."""

import pytest

from tests.factories import make_connection, make_workspace
from workspaces.acting import NoConnection, Purpose, choose_connection
from workspaces.models import Connection

pytestmark = pytest.mark.django_db

State = Connection.State


@pytest.fixture
def people():
    """Ann (slot 0) and Bob (slot 1) connected to one workspace; Cy is not."""
    workspace = make_workspace("Acting", connection=False)
    ann = make_connection(workspace, aac_person_id="1", person_name="Ann")
    bob = make_connection(workspace, aac_person_id="2", person_name="Bob")
    return workspace, ann, bob


def choose(workspace, purpose, owner_id, seen_by, **options):
    return choose_connection(
        workspace, purpose=purpose, owner_id=owner_id, seen_by=seen_by, **options
    )


def test_a_change_goes_through_the_owners_connection(people):
    workspace, ann, bob = people

    assert choose(workspace, Purpose.CHANGE, "2", ann.bit | bob.bit) == bob
    assert choose(workspace, Purpose.CHANGE, "1", ann.bit) == ann


def test_a_change_of_someone_without_a_connection_names_who_is_needed(people):
    workspace, ann, bob = people

    with pytest.raises(NoConnection) as caught:
        choose(workspace, Purpose.CHANGE, "3", ann.bit | bob.bit, owner_label="Cy")

    assert caught.value.message == (
        "Only Cy may change it in AAC; ask them to connect their AAC account to this "
        "workspace."
    )


def test_a_change_never_goes_through_an_owner_needing_reauthorisation(people):
    workspace, _ann, bob = people
    bob.set_state(State.NEEDS_REAUTH, "AAC refused the refresh token.")

    with pytest.raises(NoConnection, match="their connection needs re-authorisation"):
        choose(workspace, Purpose.CHANGE, "2", bob.bit, owner_label="Bob")


def test_a_run_prefers_the_owner_then_anyone_who_sees_it(people):
    workspace, ann, bob = people

    assert choose(workspace, Purpose.RUN, "2", ann.bit | bob.bit) == bob
    assert choose(workspace, Purpose.RUN, "3", ann.bit | bob.bit) == ann
    assert choose(workspace, Purpose.RUN, "1", bob.bit) == bob  # only Bob sees it


def test_a_run_that_no_working_connection_sees_is_refused(people):
    workspace, _ann, bob = people
    bob.set_state(State.NEEDS_REAUTH, "Spent.")

    with pytest.raises(NoConnection, match="No working connection sees it"):
        choose(workspace, Purpose.RUN, "2", bob.bit)
    with pytest.raises(NoConnection):
        choose(workspace, Purpose.RUN, "", 0)
