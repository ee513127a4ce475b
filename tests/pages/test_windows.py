"""Maintenance windows in the pages: a summary and a form (reason, from, to),
the list with their state, cancel and end early; viewers refused."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from actions.models import Window
from tests.factories import make_schedule


@pytest.fixture
def schedule(world):
    return make_schedule(world.acme, owner_id="11", owner_name="Ann")


def test_the_form_summarises_and_creates_a_window_in_the_viewers_time(
    login, world, schedule, django_capture_on_commit_callbacks
):
    client = login(world.bob)
    page = client.get(f"{reverse('pages:window_new')}?s={schedule.pk}")
    assert "Pause 1 schedule in a window?" in page.text
    data = {
        "s": schedule.pk,
        "reason": "Warehouse upgrade",
        "starts_at": "2026-03-01T22:00",
        "ends_at": "2026-03-02T02:00",
    }
    with time_machine.travel("2026-03-01 12:00Z"):
        response = client.post(reverse("pages:window_create"), data)
    window = Window.objects.get()
    assert response["Location"] == reverse("pages:window", args=[window.pk])
    assert (window.reason, window.status, window.created_by) == (
        "Warehouse upgrade",
        "scheduled",
        world.bob,
    )
    assert window.ends_at - window.starts_at == timedelta(hours=4)
    assert list(window.items.values_list("schedule_aac_id", flat=True)) == [
        schedule.aac_id
    ]
    listing = client.get(reverse("pages:windows")).text
    assert "Warehouse upgrade" in listing
    assert 'data-status="scheduled"' in listing


def test_a_window_that_ends_before_it_starts_is_refused(login, world, schedule):
    data = {
        "s": schedule.pk,
        "reason": "Backwards",
        "starts_at": "2026-03-02T02:00",
        "ends_at": "2026-03-01T22:00",
    }
    response = login(world.bob).post(reverse("pages:window_create"), data)
    assert response.status_code == 400
    assert "The window must end after it starts." in response.text
    assert not Window.objects.exists()


def scheduled_window(world, schedule) -> Window:
    now = timezone.now()
    window = Window.objects.create(
        reason="Upgrade",
        chosen="1 ticked row",
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
        created_by=world.bob,
    )
    window.items.create(
        workspace=world.acme, workspace_name="Acme EU", schedule_aac_id=schedule.aac_id
    )
    return window


def test_an_operator_cancels_a_window_before_it_starts(login, world, schedule):
    window = scheduled_window(world, schedule)
    client = login(world.bob)
    assert 'id="window-cancel"' in client.get(f"/windows/{window.pk}/").text
    response = client.post(reverse("pages:window_cancel", args=[window.pk]))
    window.refresh_from_db()
    assert (response.status_code, window.status) == (302, "cancelled")


def test_ending_a_window_that_has_not_started_says_why_not(login, world, schedule):
    window = scheduled_window(world, schedule)
    client = login(world.bob)
    client.post(reverse("pages:window_end", args=[window.pk]))
    page = client.get(reverse("pages:window", args=[window.pk]))
    assert "It is not running, or already ending." in page.text


def test_viewers_see_the_window_but_no_buttons_and_are_refused(login, world, schedule):
    window = scheduled_window(world, schedule)
    client = login(world.carol)
    page = client.get(reverse("pages:window", args=[window.pk]))
    assert page.status_code == 200
    assert 'id="window-cancel"' not in page.text
    assert (
        client.post(reverse("pages:window_cancel", args=[window.pk])).status_code == 403
    )
    assert client.get(reverse("pages:window_new")).status_code == 403
    window.refresh_from_db()
    assert window.status == "scheduled"


def test_strangers_do_not_see_a_window(login, world, schedule):
    window = scheduled_window(world, schedule)
    client = login(world.charlie)
    assert client.get(reverse("pages:window", args=[window.pk])).status_code == 404
    assert "Upgrade" not in client.get(reverse("pages:windows")).text
