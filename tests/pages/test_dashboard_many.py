"""The dashboard at many workspaces: the ones that need attention as cards, every
workspace a row of a compact table (pages/workspace_table.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attention.listing import record_open_counts
from attention.models import Finding
from pages.workspace_table import CARDS_AT_MOST, ROWS_PER_PAGE
from schedules.models import SyncRun
from tests.factories import make_aac_run, make_schedules, make_workspace
from workspaces.models import Connection

pytestmark = pytest.mark.django_db

URL = reverse("pages:dashboard")


def many(count: int, start: int = 0) -> list:
    made = [make_workspace(f"Many {n:03d}") for n in range(start, start + count)]
    for workspace in made:
        SyncRun.objects.create(workspace=workspace, trigger="beat", status="succeeded")
    return made


def card_names(response) -> list[str]:
    return [card.workspace.name for card in response.context["cards"]]


def test_a_few_workspaces_each_get_a_card_and_no_table(login, world):
    response = login(world.alice).get(URL)

    assert card_names(response) == ["Acme EU", "Globex US"]
    assert response.context["table"] is None


def test_beyond_the_cards_limit_only_workspaces_that_need_attention_get_cards(
    login, world
):
    made = many(CARDS_AT_MOST)
    SyncRun.objects.create(workspace=made[5], trigger="beat", status="failed")
    Connection.objects.filter(workspace=made[9]).update(state="needs_reauth")
    make_aac_run(made[3], status="Failed")
    now = timezone.now()
    finding = {"rule": "owner_disabled", "subject_kind": "schedule", "message": "!"}
    Finding.objects.create(
        workspace=made[7],
        severity="critical",
        since=now,
        opened_at=now,
        seen_at=now,
        subject_id="1",
        **finding,
    )
    Finding.objects.create(
        workspace=made[8],
        severity="info",
        since=now,
        opened_at=now,
        seen_at=now,
        subject_id="2",
        **finding,
    )
    for workspace in made[7:9]:  # as the evaluation that opens them does
        record_open_counts(workspace.pk)

    response = login(world.alice).get(URL)

    # No working connection first, then a failed last sync, a broken finding,
    # failed runs.
    assert card_names(response)[:4] == ["Many 009", "Many 005", "Many 007", "Many 003"]
    rows = response.context["table"].page.object_list
    assert len(rows) == CARDS_AT_MOST + 2
    flagged = [row.workspace.name for row in rows if row.attention]
    assert {"Many 009", "Many 005", "Many 007", "Many 003"} <= set(flagged)
    assert "Many 008" not in flagged
    assert "Many 004" not in flagged
    assert "need attention" in response.text
    assert 'id="workspaces-table"' in response.text


def test_the_table_sorts_by_schedules_and_pages(login, world):
    made = many(ROWS_PER_PAGE + 5)
    make_schedules(made[40], 7)
    make_schedules(made[2], 3)
    client = login(world.alice)

    rows = client.get(URL, {"sort": "-schedules"}).context["table"].page.object_list
    assert [(r.workspace.name, r.counts["schedules"]) for r in rows[:2]] == [
        ("Many 040", 7),
        ("Many 002", 3),
    ]
    second = client.get(URL, {"page": 2}).context["table"].page
    assert second.number == 2
    assert len(second.object_list) == ROWS_PER_PAGE + 7 - ROWS_PER_PAGE


@pytest.mark.parametrize(
    "query", [{"sort": "nonsense"}, {"page": "x"}, {"page": "99999"}, {"sort": ""}]
)
def test_bad_table_parameters_never_give_a_500(login, world, query):
    many(CARDS_AT_MOST)

    response = login(world.alice).get(URL, query)

    assert response.status_code == 200


def test_a_member_sees_only_their_workspaces_in_the_table(login, world):
    many(CARDS_AT_MOST + 3)

    response = login(world.bob).get(URL)

    assert response.context["table"] is None
    assert card_names(response) == ["Acme EU"]


def statements(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_it_issues_as_many_statements_for_120_workspaces_as_for_30(login, world):
    client = login(world.alice)
    many(28)
    fewer = statements(client)
    many(90, start=100)

    assert statements(client) == fewer
