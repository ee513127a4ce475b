"""The cache in the Django admin: read-only, scoped, flat; "Re-sync now"."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schedules.assets.models import Flow, Plan, Workflow
from schedules.models import Schedule, SyncRun
from tests.factories import (
    add_member,
    make_aac_run,
    make_asset,
    make_run,
    make_schedules,
    make_user,
    make_workspace,
)
from workspaces.models import Membership

pytestmark = pytest.mark.django_db

SCHEDULES = reverse("admin:schedules_schedule_changelist")
RUNS = reverse("admin:schedules_syncrun_changelist")
WORKSPACES = reverse("admin:workspaces_workspace_changelist")


@pytest.fixture
def bob(client):
    """Staff who may view the cache and change workspaces; operates Acme EU."""
    user = make_user("bob")
    user.is_staff = True
    user.save()
    codenames = ["view_schedule", "view_syncrun", "view_workspace", "change_workspace"]
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return user


@pytest.fixture
def acme(bob):
    workspace = make_workspace("Acme EU")
    add_member(bob, workspace, Membership.Role.OPERATOR)
    return workspace


def shown(response) -> list[str]:
    return [str(row) for row in response.context["cl"].result_list]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_staff_see_only_the_schedules_and_runs_of_their_workspaces(client, acme):
    globex = make_workspace("Globex US")
    make_schedules(acme, 2)
    make_schedules(globex, 2)
    SyncRun.objects.create(workspace=acme, trigger="beat", status="succeeded")
    SyncRun.objects.create(workspace=globex, trigger="beat", status="failed")

    schedules = client.get(SCHEDULES)
    runs = client.get(RUNS)

    assert shown(schedules) == ["Acme EU schedule 00001", "Acme EU schedule 00002"]
    assert [run.workspace for run in runs.context["cl"].result_list] == [acme]
    hidden = Schedule.objects.get(workspace=globex, aac_id=1)
    page = client.get(reverse("admin:schedules_schedule_change", args=[hidden.pk]))
    assert page.status_code == 302  # the admin's "does not exist" redirect


def test_the_schedule_list_filters_and_searches(client, acme, bob):
    globex = make_workspace("Globex US")
    add_member(bob, globex, Membership.Role.VIEWER)
    make_schedules(globex, 1, start_id=1000)
    make_schedules(acme, 30)
    Schedule.objects.filter(aac_id=7).update(owner_name="Zoë Martin")

    by_owner = client.get(SCHEDULES, {"q": "Zoë"})
    disabled_owner = client.get(SCHEDULES, {"owner_disabled__exact": "1"})
    plans = client.get(SCHEDULES, {"task_kind__exact": "plan", "enabled__exact": "1"})

    assert shown(by_owner) == ["Acme EU schedule 00007"]
    assert {s.owner_disabled for s in disabled_owner.context["cl"].result_list} == {
        True
    }
    assert {(s.task_kind, s.enabled) for s in plans.context["cl"].result_list} == {
        ("plan", True)
    }
    filters = [spec.title for spec in plans.context["cl"].filter_specs]
    assert filters == [
        "workspace",
        "task kind",
        "trigger kind",
        "enabled",
        "owner disabled",
    ]


def test_the_schedule_list_costs_the_same_for_5_rows_as_for_100(client, acme):
    make_schedules(acme, 5)
    with CaptureQueriesContext(connection) as few:
        client.get(SCHEDULES)
    make_schedules(acme, 95, start_id=100)
    with CaptureQueriesContext(connection) as many:
        client.get(SCHEDULES)

    assert len(many) == len(few)


def test_a_schedule_is_shown_read_only_with_its_raw_json(client, acme):
    make_schedules(acme, 1)
    schedule = Schedule.objects.get()
    schedule.raw = {"id": 1, "name": "日次レポート"}
    schedule.save()
    url = reverse("admin:schedules_schedule_change", args=[schedule.pk])

    page = client.get(url)
    posted = client.post(url, {"name": "Renamed"})

    assert page.status_code == 200
    assert "日次レポート" in page.text
    assert 'name="_save"' not in page.text
    assert posted.status_code == 403
    assert Schedule.objects.get().name == schedule.name


def test_re_sync_now_queues_syncs_and_says_what_it_could_not(
    client, acme, bob, django_capture_on_commit_callbacks
):
    busy = make_workspace("Busy Corp")
    add_member(bob, busy, Membership.Role.OPERATOR)
    make_run(busy, status="running")
    viewed = make_workspace("Viewed Ltd")
    add_member(bob, viewed, Membership.Role.VIEWER)

    with django_capture_on_commit_callbacks() as published:
        response = client.post(
            WORKSPACES,
            {
                "action": "resync_now",
                "_selected_action": [acme.pk, busy.pk, viewed.pk],
            },
            follow=True,
        )

    assert messages_of(response) == [
        "Viewed Ltd: you may only view it.",
        "Queued 1 sync(s).",
        "Not queued: A sync of Busy Corp is already running.",
    ]
    run = SyncRun.objects.get(status="queued")
    assert (run.workspace, run.trigger, run.requested_by) == (acme, "admin", bob)
    assert len(published) == 1


@pytest.fixture
def asset_viewer(client, acme, bob):
    """bob may also view plans, flows, workflows and runs."""
    codenames = ["view_plan", "view_flow", "view_workflow", "view_run"]
    bob.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return bob


@pytest.mark.parametrize(
    ("model", "aac_id"), [(Plan, 11), (Flow, 12), (Workflow, "01HZX3Q4W5E6R7T8Y9U0")]
)
def test_staff_see_only_the_assets_of_their_workspaces(
    client, acme, asset_viewer, model, aac_id
):
    globex = make_workspace("Globex US")
    mine = make_asset(model, acme, aac_id, name="Mine")
    make_asset(model, globex, aac_id, name="Theirs")
    changelist = reverse(f"admin:schedules_{model._meta.model_name}_changelist")

    page = client.get(changelist)

    assert list(page.context["cl"].result_list) == [mine]
    assert page.status_code == 200


def test_the_run_list_is_scoped_and_filtered_by_the_workspaces_the_user_sees(
    client, acme, asset_viewer
):
    globex, hidden = make_workspace("Globex US"), make_workspace("Initech")
    add_member(asset_viewer, globex, Membership.Role.VIEWER)
    plan = make_asset(Plan, acme, 11, name="Nightly load")
    failed = make_aac_run(acme, asset=plan, status="Failed")
    make_aac_run(globex, asset=make_asset(Plan, globex, 11), status="Complete")
    make_aac_run(hidden, asset=make_asset(Plan, hidden, 11), status="Failed")
    changelist = reverse("admin:schedules_run_changelist")

    everything = client.get(changelist)
    failures = client.get(changelist, {"status__exact": "Failed"})
    in_acme = client.get(changelist, {"workspace": acme.pk})
    elsewhere = client.get(changelist, {"workspace": hidden.pk})
    nonsense = client.get(changelist, {"workspace": "acme"})

    assert {run.workspace for run in everything.context["cl"].result_list} == {
        acme,
        globex,
    }
    assert list(failures.context["cl"].result_list) == [failed]
    assert list(in_acme.context["cl"].result_list) == [failed]
    assert list(elsewhere.context["cl"].result_list) == []
    assert list(nonsense.context["cl"].result_list) == []
    [workspace_filter] = [
        spec
        for spec in everything.context["cl"].filter_specs
        if spec.title == "workspace"
    ]
    assert [name for _, name in workspace_filter.lookup_choices] == [
        "Acme EU",
        "Globex US",
    ]
    assert "Nightly load" in everything.content.decode()


def test_the_run_list_costs_the_same_for_5_runs_as_for_100(client, acme, asset_viewer):
    plan = make_asset(Plan, acme, 11)
    changelist = reverse("admin:schedules_run_changelist")
    for _ in range(5):
        make_aac_run(acme, asset=plan)
    with CaptureQueriesContext(connection) as few:
        assert client.get(changelist).status_code == 200
    for _ in range(95):
        make_aac_run(acme, asset=plan)
    with CaptureQueriesContext(connection) as many:
        assert client.get(changelist).status_code == 200

    assert len(many) == len(few)
