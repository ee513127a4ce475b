"""The API's actions: re-sync one or all, refresh tokens; confirmation and
Idempotency-Key."""

import pytest
from django.urls import reverse

from api.models import IdempotentRequest
from schedules.models import SyncRun
from tests.api.calls import api_client
from tests.factories import add_member, make_run, make_token, make_workspace
from workspaces.models import ConnectionTask, Membership


@pytest.fixture
def bob_api(world):
    return api_client(make_token(world.bob)[1])


def post(client, url, data=None, **headers):
    return client.post(url, data, content_type="application/json", headers=headers)


def sync_url(world) -> str:
    return reverse("api:workspace_sync", args=[world.acme.pk])


def test_it_queues_a_sync_as_the_button_does_naming_the_tokens_user(
    world, bob_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as published:
        response = post(bob_api, sync_url(world))
    assert response.status_code == 202
    run = SyncRun.objects.get()
    assert (run.workspace, run.status, run.requested_by) == (
        world.acme,
        "queued",
        world.bob,
    )
    assert len(published) == 1
    body = response.json()
    assert (body["id"], body["status"], body["requested_by"]) == (
        run.pk,
        "queued",
        "bob",
    )
    follow = bob_api.get(reverse("api:sync_run", args=[run.pk])).json()
    assert follow["status"] == "queued"


def test_it_refuses_a_second_sync_with_the_buttons_reason(world, bob_api):
    make_run(world.acme, status="running")
    response = post(bob_api, sync_url(world))
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "not_queued",
        "message": "A sync of Acme EU is already running",
    }


def test_it_answers_a_retry_with_the_same_key_without_acting_again(world, bob_api):
    first = post(bob_api, sync_url(world), **{"Idempotency-Key": "nightly-1"})
    again = post(bob_api, sync_url(world), **{"Idempotency-Key": "nightly-1"})
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert SyncRun.objects.count() == 1


def test_it_refuses_a_key_reused_for_another_request(world, bob_api):
    post(bob_api, sync_url(world), **{"Idempotency-Key": "k"})
    other = reverse("api:connection_refresh", args=[world.acme.connections.get().pk])
    response = post(bob_api, other, **{"Idempotency-Key": "k"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"


def test_a_refused_action_releases_its_key_for_the_retry(world, bob_api):
    run = make_run(world.acme, status="running")
    refused = post(bob_api, sync_url(world), **{"Idempotency-Key": "k"})
    assert refused.status_code == 409
    run.status = "succeeded"
    run.save()
    assert post(bob_api, sync_url(world), **{"Idempotency-Key": "k"}).status_code == 202


def test_keys_are_each_users_own(world, bob_api):
    post(bob_api, sync_url(world), **{"Idempotency-Key": "k"})
    alice = api_client(make_token(world.alice)[1])
    SyncRun.objects.update(status="succeeded")
    assert post(alice, sync_url(world), **{"Idempotency-Key": "k"}).status_code == 202
    assert IdempotentRequest.objects.count() == 2


def test_sync_all_asks_for_an_explicit_confirmation(world, bob_api):
    response = post(bob_api, reverse("api:sync_all"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "confirm" in response.json()["error"]["details"]
    assert post(bob_api, reverse("api:sync_all"), {"confirm": False}).status_code == 400
    assert SyncRun.objects.count() == 0


def test_sync_all_queues_what_the_button_would(world, bob_api):
    other = make_workspace("Initech")
    add_member(world.bob, other, Membership.Role.OPERATOR)
    add_member(world.bob, world.globex, Membership.Role.VIEWER)
    make_run(other, status="running")
    response = post(bob_api, reverse("api:sync_all"), {"confirm": True})
    assert response.status_code == 202
    body = response.json()
    assert body["message"] == "1 sync queued."
    assert [run["workspace"] for run in body["sync_runs"]] == [world.acme.pk]


def test_it_queues_a_token_refresh_and_lets_it_be_followed(world, bob_api):
    connection = world.acme.connections.get()
    url = reverse("api:connection_refresh", args=[connection.pk])
    response = post(bob_api, url)
    assert response.status_code == 202
    task = ConnectionTask.objects.get()
    assert (task.action, task.requested_by) == ("refresh", world.bob)
    followed = bob_api.get(reverse("api:connection_task", args=[task.pk])).json()
    assert (followed["id"], followed["status"]) == (task.pk, "queued")
    again = post(bob_api, url)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "not_queued"
