"""The admin site: its pages take their own parameters and nothing else."""

import pytest
from django.contrib import admin
from django.urls import reverse

from aacportal.adminsite import StrictParameters
from tests.factories import make_run, make_schedule, make_user, make_workspace

pytestmark = pytest.mark.django_db

SCHEDULES = reverse("admin:schedules_schedule_changelist")
RUNS = reverse("admin:schedules_syncrun_changelist")


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("alice", superuser=True))
    client.raise_request_exception = False
    return client


def test_every_model_admin_of_the_site_is_strict():
    loose = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if not isinstance(model_admin, StrictParameters)
    ]
    assert admin.site._registry
    assert loose == []


@pytest.mark.parametrize(
    "query", ["raw__contains=x", "name__regex=(", "owner_email__startswith=a"]
)
def test_it_refuses_a_lookup_the_changelist_does_not_offer(admin_client, query):
    make_schedule(make_workspace("Acme EU"), name="Nightly", raw={"x": 1})

    response = admin_client.get(f"{SCHEDULES}?{query}")

    assert response.status_code == 400


def test_it_keeps_the_changelists_own_filters_and_search(admin_client):
    acme = make_workspace("Acme EU")
    make_schedule(acme, name="Nightly", enabled=True)
    make_schedule(acme, name="Weekly", enabled=False)

    response = admin_client.get(
        SCHEDULES, {"enabled__exact": "1", "q": "Night", "o": "1", "p": "1"}
    )

    assert response.status_code == 200
    assert [s.name for s in response.context["cl"].result_list] == ["Nightly"]


@pytest.mark.parametrize(
    "query",
    [
        "queued_at__year=9999",
        "queued_at__year=9999&queued_at__month=12",
        "queued_at__year=0",
    ],
)
def test_it_sends_a_date_out_of_range_back_to_the_list(admin_client, query):
    make_run(make_workspace("Acme EU"), status="succeeded")

    response = admin_client.get(f"{RUNS}?{query}")

    assert (response.status_code, response["Location"]) == (302, f"{RUNS}?e=1")


def test_it_opens_a_change_page_with_an_empty_to_field(admin_client):
    run = make_run(make_workspace("Acme EU"), status="succeeded")

    response = admin_client.get(
        reverse("admin:schedules_syncrun_change", args=[run.pk]), {"_to_field": ""}
    )

    assert response.status_code == 200


def test_it_leaves_out_initial_values_a_field_cannot_hold(admin_client):
    acme = make_workspace("Acme EU")
    url = reverse("admin:workspaces_membership_add")

    response = admin_client.get(url, {"user": "²", "workspace": acme.pk})

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert (form.initial.get("user"), form.initial["workspace"]) == (None, str(acme.pk))


def test_it_answers_400_to_a_nul_character_anywhere(admin_client):
    response = admin_client.get(SCHEDULES, {"q": "Night\x00"})

    assert response.status_code == 400
