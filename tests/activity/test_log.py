"""`record`: a row that names who, where and what as they were, and outlives them."""

from activity.log import record
from activity.models import Action, Entry, Outcome
from tests.factories import make_user, make_workspace


def test_it_keeps_the_names_when_the_workspace_and_the_user_are_deleted(db):
    bob = make_user("bob")
    acme = make_workspace("Acme EU")
    record(
        Action.DISABLE,
        outcome=Outcome.SUCCEEDED,
        user=bob,
        workspace=acme,
        target_kind="schedule",
        target_id=1001,
        target_name="Nightly load",
        request_id="req-1",
    )
    bob_id, acme_id = bob.pk, acme.pk
    acme.delete()
    bob.delete()
    entry = Entry.objects.get()
    assert (entry.user_id, entry.username) == (bob_id, "bob")
    assert (entry.workspace_id, entry.workspace_name) == (acme_id, "Acme EU")
    assert (entry.target_id, entry.target_name) == ("1001", "Nightly load")
    assert entry.aac_request_id == "req-1"
    assert str(entry) == "Disable by bob: Succeeded"


def test_it_names_whom_a_failed_login_concerns_without_a_user(db):
    record(Action.LOGIN_FAILED, outcome=Outcome.FAILED, username="mallory")
    entry = Entry.objects.get()
    assert (entry.user_id, entry.username, entry.workspace_id) == (
        None,
        "mallory",
        None,
    )
    assert str(entry) == "Failed login by mallory: Failed"
