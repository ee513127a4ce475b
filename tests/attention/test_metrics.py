"""/metrics: Prometheus' text format, parsed back with prometheus-client's own
parser; read from the database at scrape time; a bearer token, not a login."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from schedules.models import RunHour, SyncRun
from tests.attention.world import NOW, SCENARIOS, evaluate
from tests.factories import make_run, make_schedules, make_workspace
from workspaces.models import Connection

pytestmark = pytest.mark.django_db
TOKEN = "metrics-token-for-tests"


@pytest.fixture(autouse=True)
def frozen(settings):
    settings.AAC_METRICS_TOKEN = TOKEN
    with time_machine.travel(NOW, tick=False):
        yield


def scrape(client, token=TOKEN):
    return client.get(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {token}")


def samples(response) -> dict:
    """{(name, frozenset(labels)): value} of every sample."""
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def labels(**values):
    return frozenset({"workspace": "Acme EU", "region": "eu1", **values}.items())


def test_it_answers_every_metric_labelled_by_workspace_and_region(client):
    acme = make_workspace("Acme EU")
    make_schedules(acme, 30, start_id=100, now=NOW)
    SCENARIOS["owner_disabled"][0](acme)
    make_run(
        acme,
        status=SyncRun.Status.SUCCEEDED,
        started_at=NOW - timedelta(minutes=10, seconds=42),
        finished_at=NOW - timedelta(minutes=10),
    )
    Connection.objects.filter(workspace=acme).update(
        refresh_token_issued_at=NOW - timedelta(days=80), refresh_token_lifetime_days=90
    )
    RunHour.objects.create(
        workspace=acme, hour=NOW - timedelta(hours=1), status="Failed", runs=4
    )
    RunHour.objects.create(
        workspace=acme, hour=NOW - timedelta(days=3), status="Failed", runs=9
    )
    evaluate(acme)

    response = scrape(client)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    found = samples(response)
    assert found[("aac_schedules", labels(state="enabled"))] == 20 + 1
    assert found[("aac_schedules", labels(state="disabled"))] == 10
    assert (
        found[("aac_open_findings", labels(rule="owner_disabled", severity="warning"))]
        >= 1
    )
    assert found[("aac_sync_last_outcome", labels(outcome="succeeded"))] == 1
    assert found[("aac_sync_last_duration_seconds", labels())] == 42
    assert found[("aac_sync_data_age_seconds", labels())] == 600
    person = Connection.objects.get(workspace=acme).person
    expiry = found[("aac_refresh_token_expires_in_seconds", labels(connection=person))]
    assert expiry == timedelta(days=10).total_seconds()
    assert found[("aac_connection_needs_reauth", labels(connection=person))] == 0
    assert found[("aac_runs_last_24h", labels(status="Failed"))] == 4


def test_it_reads_the_database_at_each_scrape(client):
    acme = make_workspace("Acme EU")
    SCENARIOS["owner_disabled"][0](acme)
    evaluate(acme)
    key = ("aac_open_findings", labels(rule="owner_disabled", severity="warning"))
    assert samples(scrape(client))[key] == 1

    SCENARIOS["owner_disabled"][1](acme)
    evaluate(acme)

    assert key not in samples(scrape(client))


def test_its_statements_do_not_grow_with_workspaces(client):
    make_workspace("One")
    with CaptureQueriesContext(connection) as one:
        scrape(client)
    for i in range(10):
        workspace = make_workspace(f"More {i}")
        SCENARIOS["owner_disabled"][0](workspace)
        evaluate(workspace)

    with CaptureQueriesContext(connection) as eleven:
        scrape(client)

    assert len(eleven) == len(one) <= 8


@pytest.mark.parametrize(
    "header",
    [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer", f"bearer {TOKEN}x"],
)
def test_it_refuses_a_missing_or_wrong_token(client, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}

    response = client.get(reverse("metrics"), **extra)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"aac_" not in response.content


def test_a_login_does_not_open_it(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("alice"))

    assert client.get(reverse("metrics")).status_code == 401


def test_it_is_off_without_a_token_in_settings(client, settings):
    settings.AAC_METRICS_TOKEN = ""

    assert scrape(client, token="").status_code == 404
