"""/activity/: scoped to what the user may see, filtered, exported as CSV."""

import csv
import io

import pytest
import time_machine
from django.urls import reverse

from activity.log import record
from activity.models import Action, Outcome
from tests.factories import make_user


@pytest.fixture
def logged(world):
    """A press in each workspace and a login of bob's; logging in (`login`)
    records the login of whoever the test logs in."""
    record(Action.RESYNC, outcome=Outcome.QUEUED, user=world.bob, workspace=world.acme)
    with time_machine.travel("2026-03-01 12:00Z"):
        record(
            Action.DISABLE,
            outcome=Outcome.FAILED,
            user=world.alice,
            workspace=world.globex,
            target_name="=cmd|' /C calc'!A0",
        )
    record(Action.LOGIN, outcome=Outcome.SUCCEEDED, user=world.bob)
    return world


def shown(response) -> list[str]:
    return [
        row.split('data-action="')[1].split('"')[0]
        for row in response.text.split("<tr ")[1:]
    ]


def test_it_shows_a_viewer_their_workspaces_and_their_own_logins(login, logged):
    response = login(logged.carol).get(reverse("pages:activity"))
    assert response.status_code == 200
    assert shown(response) == ["login", "resync"]
    assert "Globex US" not in response.text


def test_it_shows_a_superuser_everything(login, logged):
    response = login(logged.alice).get(reverse("pages:activity"))
    assert sorted(shown(response)) == ["disable", "login", "login", "resync"]
    assert "Globex US" in response.text


def test_it_shows_a_stranger_nothing_but_their_own_login(login, logged):
    response = login(logged.charlie).get(reverse("pages:activity"))
    assert shown(response) == ["login"]
    assert "bob" not in response.text


def test_it_filters_by_user_workspace_action_and_date(login, logged):
    client = login(logged.alice)
    url = reverse("pages:activity")
    assert shown(client.get(url, {"user": "bob"})) == ["login", "resync"]
    assert shown(client.get(url, {"workspace": logged.acme.pk})) == ["resync"]
    assert shown(client.get(url, {"action": "disable"})) == ["disable"]
    march = {"since": "2026-03-01", "until": "2026-03-01"}
    assert shown(client.get(url, march)) == ["disable"]


@pytest.mark.parametrize(
    "query",
    [
        {"workspace": "x"},
        {"since": "yesterday"},
        {"until": "99999-01-01"},
        {"action": "<script>"},
        {"page": "-1"},
        {"user": "x" * 500},
    ],
)
def test_it_ignores_bad_filters(login, logged, query):
    response = login(logged.alice).get(reverse("pages:activity"), query)
    assert response.status_code == 200


def test_it_exports_what_it_shows_with_formulas_disarmed(login, logged):
    response = login(logged.alice).get(
        reverse("pages:activity_csv"), {"user": "alice", "action": "disable"}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["Action"] for row in rows] == ["disable"]
    assert rows[0]["Target name"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["Workspace"] == "Globex US"
    assert rows[0]["Outcome"] == "failed"


def test_it_keeps_a_deleted_users_rows_under_the_name_they_had(login, logged):
    make_user("dave")
    logged.bob.delete()
    response = login(logged.alice).get(reverse("pages:activity"), {"user": "bob"})
    assert shown(response) == ["login", "resync"]
