"""Enable and disable from the pages: a summary before the confirmation, a
POST with a reason that queues one background change, its page per schedule;
viewers get no buttons and the endpoints refuse them."""

import pytest
from django.urls import reverse

from actions.models import BulkChange
from tests.factories import make_connection, make_schedule
from workspaces.models import Membership


@pytest.fixture
def rows(world):
    """Two schedules in Acme (one owned by its connection's person, one by
    someone without a connection) and one in Globex, which bob only views."""
    connection = world.acme.connections.get()
    connection.aac_person_id = "11"
    connection.save(update_fields=["aac_person_id"])
    mine = make_schedule(world.acme, owner_id="11", owner_name="Ann")
    theirs = make_schedule(world.acme, owner_id="12", owner_name="Cy")
    Membership.objects.create(user=world.bob, workspace=world.globex)
    make_connection(world.globex, aac_person_id="13")
    viewed = make_schedule(world.globex, owner_id="13")
    return mine, theirs, viewed


def ticked(*schedules) -> str:
    return "&".join(f"s={s.pk}" for s in schedules)


def test_the_confirmation_says_how_many_where_and_what_will_fail(login, world, rows):
    mine, theirs, viewed = rows
    url = f"{reverse('pages:change_new')}?action=disable&{ticked(mine, theirs, viewed)}"
    response = login(world.bob).get(url)
    assert response.status_code == 200
    text = response.text
    assert "Disable 2 schedules?" in text
    assert "<td>Acme EU</td><td>2</td><td>1</td>" in text
    assert "1 will fail: AAC lets only a schedule's owner change it" in text
    assert "1 left out: you may only view their workspaces." in text
    assert 'name="csrfmiddlewaretoken"' in text


def test_everything_a_filter_shows_is_summarised_by_the_filter(login, world, rows):
    url = f"{reverse('pages:change_new')}?action=enable&all=1&owner=&q=Schedule"
    text = login(world.bob).get(url).text
    assert "Enable 2 schedules?" in text
    assert "everything the filter shows (Search: Schedule)" in text
    assert '<input type="hidden" name="q" value="Schedule">' in text


def test_confirming_queues_one_change_with_its_reason(
    login, world, rows, django_capture_on_commit_callbacks
):
    mine, _theirs, viewed = rows
    data = {"action": "disable", "reason": "Owner left", "s": [mine.pk, viewed.pk]}
    with django_capture_on_commit_callbacks() as published:
        response = login(world.bob).post(reverse("pages:change_create"), data)
    change = BulkChange.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("pages:change", args=[change.pk])
    assert (change.action, change.reason, change.requested_by) == (
        "disable",
        "Owner left",
        world.bob,
    )
    assert list(change.items.values_list("schedule_aac_id", flat=True)) == [mine.aac_id]
    assert len(published) == 1


def test_a_change_without_a_reason_is_asked_again(login, world, rows):
    response = login(world.bob).post(
        reverse("pages:change_create"), {"action": "disable", "s": rows[0].pk}
    )
    assert response.status_code == 400
    assert BulkChange.objects.count() == 0


def test_the_changes_page_shows_each_schedules_result_failures_first(
    login, world, rows
):
    mine, theirs, _ = rows
    change = BulkChange.objects.create(
        action="disable", reason="r", chosen="2 ticked rows", status="finished"
    )
    for schedule, status, message in (
        (mine, "succeeded", "Disabled in AAC as Ann."),
        (theirs, "failed", "Only Cy may change it in AAC."),
    ):
        change.items.create(
            workspace=world.acme,
            workspace_name="Acme EU",
            schedule_aac_id=schedule.aac_id,
            schedule_name=schedule.name,
            status=status,
            message=message,
        )
    text = login(world.carol).get(reverse("pages:change", args=[change.pk])).text
    assert text.index("Only Cy may change it") < text.index("Disabled in AAC as Ann")
    assert "1 done · 1 failed" in text
    assert "hx-trigger" not in text  # finished: no more polling


def test_viewers_see_no_buttons_and_are_refused(login, world, rows):
    client = login(world.carol)
    schedule_page = client.get(
        reverse("pages:schedule", args=[world.acme.pk, rows[0].aac_id])
    )
    assert 'id="schedule-actions"' not in schedule_page.text
    table = client.get(reverse("pages:schedules"))
    assert 'form="selection"' not in table.text
    assert client.get(reverse("pages:change_new")).status_code == 403
    data = {"action": "disable", "reason": "x", "s": rows[0].pk}
    assert client.post(reverse("pages:change_create"), data).status_code == 403


def test_operators_see_the_buttons_on_the_table_and_the_schedule(login, world, rows):
    client = login(world.bob)
    table = client.get(reverse("pages:schedules"))
    assert f'name="s" value="{rows[0].pk}" form="selection"' in table.text
    assert 'id="disable-filtered"' in table.text
    page = client.get(reverse("pages:schedule", args=[world.acme.pk, rows[0].aac_id]))
    assert 'id="toggle-schedule"' in page.text
    assert "Disable every schedule of" not in page.text  # no e-mail to filter by


def test_a_plain_post_without_csrf_is_refused(world, rows, client):
    client.handler.enforce_csrf_checks = True
    client.force_login(world.bob)
    data = {"action": "disable", "reason": "x", "s": rows[0].pk}
    assert client.post(reverse("pages:change_create"), data).status_code == 403
