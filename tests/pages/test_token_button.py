"""The "Refresh tokens" button: a forced refresh queued, or why not."""

from unittest import mock

import pytest
from django.urls import reverse

from tests.pages.requests import HTMX, press


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("broker_down")
def test_it_says_the_queue_is_unavailable_for_a_token_refresh(login, world):
    response = press(login(world.bob), "workspace_refresh_tokens", world.acme.pk)
    assert response.status_code == 503
    assert "background queue unavailable" in response.text


def test_it_queues_a_forced_token_refresh(login, world):
    page = f"http://testserver{world.acme.get_absolute_url()}"
    with mock.patch("workspaces.queueing.refresh_workspace_tokens") as task:
        response = login(world.bob).post(
            reverse("pages:workspace_refresh_tokens", args=[world.acme.pk]),
            HTTP_HX_CURRENT_URL=page,
            **HTMX,
        )
    assert response.status_code == 200
    assert "Token refresh queued" in response.text
    # With no run to watch, the page fetches its data again a moment later.
    assert f'hx-get="{world.acme.get_absolute_url()}" hx-trigger="load delay:3s"' in (
        response.text
    )
    task.delay_on_commit.assert_called_once_with(world.acme.pk, force=True)
