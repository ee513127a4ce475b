"""A sync through every connection of a workspace (simulator, real HTTP): the union,
the rules per connection, and what coverage says in each case."""

import logging
from dataclasses import replace

import pytest

from schedules.connections import remove_connection
from schedules.coverage import Extent, coverage_of
from schedules.models import Person, Schedule, SyncRun
from schedules.sync.engine import sync_workspace
from schedules.sync.kinds import PEOPLE, SCHEDULES
from tests.schedules.conftest import active_person, cache_of, new_run, sync
from tests.workspaces.stored import expire_soon, reread, tokens
from workspaces.models import Connection, Workspace
from workspaces.tokens.pasted import store_pasted_tokens

pytestmark = pytest.mark.django_db

Status = SyncRun.Status


def owned(aac_sim, remote, *people) -> set[int]:
    """The ids of the schedules the given people own in AAC."""
    ids = {person["id"] for person in people}
    return {s["id"] for s in aac_sim.sim.schedules(remote.id) if s["createdBy"] in ids}


def masks(workspace) -> dict[int, int]:
    return dict(
        Schedule.objects.filter(workspace=workspace).values_list("aac_id", "seen_by")
    )


def coverage(workspace):
    return coverage_of([workspace])[workspace.pk]


@pytest.fixture
def per_owner(aac_sim, make_sim_workspace, connect_person, page_size):
    """A workspace whose AAC lists each token user's own schedules, with the
    admin's connection and those of the two people owning most schedules."""
    remote, workspace = make_sim_workspace(
        "Per owner", schedules=300, people=8, list_scope="owner"
    )
    admin, *others = remote.people
    active = [person for person in others if not person["isDisabled"]]
    busiest = sorted(active, key=lambda p: -len(owned(aac_sim, remote, p)))[:2]
    connections = [workspace.connections.get()] + [
        connect_person(remote, workspace, person["id"]) for person in busiest
    ]
    return remote, workspace, [admin, *busiest], connections


def test_the_union_of_per_owner_lists_holds_each_connected_persons_schedules(
    aac_sim, per_owner
):
    remote, workspace, people, connections = per_owner

    run = sync(workspace)

    assert run.status == Status.SUCCEEDED, run.error_message
    assert set(cache_of(workspace)) == owned(aac_sim, remote, *people)
    for person, connection in zip(people, connections, strict=True):
        mine = owned(aac_sim, remote, person)
        assert {k for k, m in masks(workspace).items() if m == connection.bit} == mine
    reports = run.connection_reports
    assert [r.connection for r in reports] == [c.pk for c in connections]
    assert all(not r.failed and r.pages >= 1 for r in reports)
    assert (
        sum(r.listed["schedules"] for r in reports) == run.counts_of("schedules").seen
    )


def test_two_connections_listing_the_same_schedules_store_each_once(
    aac_sim, make_sim_workspace, connect_person, page_size
):
    remote, workspace = make_sim_workspace("Everyone's", schedules=250, people=4)
    second = connect_person(remote, workspace, active_person(remote))
    first = workspace.connections.exclude(pk=second.pk).get()

    run = sync(workspace)

    found = run.counts_of("schedules")
    assert (found.seen, found.created) == (250, 250)
    assert Schedule.objects.filter(workspace=workspace).count() == 250
    assert set(masks(workspace).values()) == {first.bit | second.bit}
    assert found.pages == 6  # three pages through each connection
    assert coverage(workspace).extent == Extent.COMPLETE


def test_a_failing_connection_keeps_what_only_it_saw_and_says_so(aac_sim, per_owner):
    remote, workspace, people, connections = per_owner
    sync(workspace)
    failing = connections[2]
    theirs = owned(aac_sim, remote, people[2])
    # The person deletes two schedules in AAC, and their refresh token is spent
    # elsewhere: the portal cannot see the deletion.
    gone = sorted(theirs)[:2]
    aac_sim.sim.remove_schedules(remote.id, gone)
    aac_sim.sim.refresh(tokens(failing.pk)[1], client_id=remote.client_id)
    expire_soon(failing.pk)

    run = sync(workspace)

    assert run.status == Status.SUCCEEDED
    assert theirs <= set(cache_of(workspace))  # the two deleted ones included
    assert run.error_kind == "connections"
    assert "Applied what 2 of 3 connections listed" in run.error_message
    assert "AAC refused the refresh token" in run.error_message
    report = next(r for r in run.connection_reports if r.connection == failing.pk)
    assert (report.failed, report.error_kind) == (True, "needs_reauth")
    seen = coverage(workspace)
    assert seen.unconfirmed == len(theirs)
    assert seen.confirmed_at == reread(failing).listed_at
    assert seen.unconfirmed_by == [reread(failing).person]
    assert seen.extent == Extent.PARTIAL

    # A new pair: the connection works again, and its deletions are seen.
    pair = aac_sim.sim.new_token_pair(remote.id, person_id=people[2]["id"])
    store_pasted_tokens(
        reread(failing),
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
    )
    run = sync(workspace)

    assert run.status == Status.SUCCEEDED
    assert run.error_message == ""
    assert run.counts_of("schedules").deleted == 2
    assert set(cache_of(workspace)) == owned(aac_sim, remote, *people)
    assert coverage(workspace).unconfirmed == 0


def test_when_no_connection_works_nothing_is_applied(aac_sim, per_owner):
    remote, workspace, _people, connections = per_owner
    sync(workspace)
    before = cache_of(workspace)
    aac_sim.sim.remove_schedules(remote.id, 20)
    for connection in connections:
        aac_sim.sim.refresh(tokens(connection.pk)[1], client_id=remote.client_id)
        expire_soon(connection.pk)

    run = sync(workspace)

    assert run.status == Status.FAILED
    assert run.error_message.startswith("No connection could be read: ")
    assert cache_of(workspace) == before
    assert all(r.failed for r in run.connection_reports)


def test_a_removed_connections_rows_go_and_shared_rows_stay(
    aac_sim, make_sim_workspace, connect_person, page_size
):
    remote, workspace = make_sim_workspace("Shared", schedules=120, people=4)
    second = connect_person(remote, workspace, active_person(remote))
    first = workspace.connections.exclude(pk=second.pk).get()
    sync(workspace)
    # As if the first connection had stopped listing three of them.
    only_second = sorted(cache_of(workspace))[:3]
    Schedule.objects.filter(workspace=workspace, aac_id__in=only_second).update(
        seen_by=second.bit
    )

    removed = remove_connection(second)

    assert removed.deleted["schedules"] == 3
    assert set(cache_of(workspace)).isdisjoint(only_second)
    assert Schedule.objects.filter(workspace=workspace).count() == 117
    assert set(masks(workspace).values()) == {first.bit}
    assert Person.objects.filter(workspace=workspace).count() == len(remote.people)
    assert not Connection.objects.filter(pk=second.pk).exists()


def test_a_connection_removed_while_the_sync_runs_leaves_no_rows_behind(
    aac_sim, per_owner
):
    remote, workspace, people, connections = per_owner
    removed = connections[2]
    pages = SCHEDULES.list_pages
    lists = []

    def remove_the_last_while_it_lists(client):
        lists.append(client)
        if len(lists) == len(connections):
            remove_connection(Connection.objects.get(pk=removed.pk))
        return pages(client)

    run = sync_workspace(
        new_run(workspace),
        kinds=[PEOPLE, replace(SCHEDULES, list_pages=remove_the_last_while_it_lists)],
    )

    assert run.status == Status.SUCCEEDED
    assert set(cache_of(workspace)) == owned(aac_sim, remote, *people[:2])
    assert all(mask & removed.bit == 0 for mask in masks(workspace).values())


def test_owner_disabled_comes_from_the_people_list(aac_sim, make_sim_workspace):
    remote, workspace = make_sim_workspace("Disabled owners", schedules=60, people=5)
    sync(workspace)
    owner = next(
        p
        for p in remote.people[1:]
        if owned(aac_sim, remote, p) and not p["isDisabled"]
    )
    assert not Schedule.objects.filter(owner_id=str(owner["id"]), owner_disabled=True)
    # AAC disables the person; their schedules' own `creator` still says active.
    owner["isDisabled"] = True

    run = sync(workspace)

    assert run.counts_of("people").updated == 1
    assert Person.objects.get(workspace=workspace, aac_id=owner["id"]).disabled
    theirs = Schedule.objects.filter(workspace=workspace, owner_id=str(owner["id"]))
    assert theirs.exists()
    assert all(s.owner_disabled for s in theirs)
    people = dict(
        Person.objects.filter(workspace=workspace).values_list("aac_id", "disabled")
    )
    for schedule in Schedule.objects.filter(workspace=workspace).exclude(owner_id=""):
        assert schedule.owner_disabled == people[int(schedule.owner_id)]


def test_people_name_the_connections(make_sim_workspace):
    remote, workspace = make_sim_workspace("Named", schedules=5, people=3)

    sync(workspace)

    admin = remote.people[0]
    connection = workspace.connections.get()
    assert connection.person == f"{admin['name']} <{admin['email']}>"
    assert Person.objects.filter(workspace=workspace).count() == 3


def test_a_workspace_deleted_during_its_sync_ends_the_run_without_a_traceback(
    make_sim_workspace, caplog
):
    _, workspace = make_sim_workspace("Deleted mid-sync", schedules=40)
    pages = SCHEDULES.list_pages

    def delete_after_the_first_page(client):
        for number, page in enumerate(pages(client)):
            if number == 0:
                Workspace.objects.filter(pk=workspace.pk).delete()
            yield page

    with caplog.at_level(logging.INFO):
        run = sync_workspace(
            new_run(workspace),
            kinds=[replace(SCHEDULES, list_pages=delete_after_the_first_page)],
        )

    assert "its workspace was deleted while it ran" in caplog.text
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not SyncRun.objects.filter(pk=run.pk).exists()
    assert not Schedule.objects.exists()


def test_coverage_in_each_case(aac_sim, make_sim_workspace, connect_person, per_owner):
    remote, workspace, people, _ = per_owner
    _, unsynced = make_sim_workspace("Never synced", schedules=5)
    _, everyone = make_sim_workspace("Workspace scope", schedules=30, people=3)
    sync(everyone)
    bare = Workspace.objects.create(name="Bare", region="sim")

    assert coverage(bare).extent == Extent.NONE
    assert coverage(unsynced).extent == Extent.UNKNOWN
    assert coverage(unsynced).summary == "Coverage unknown until the first sync."
    complete = coverage(everyone)
    assert complete.extent == Extent.COMPLETE
    assert complete.summary.startswith("Complete: ")
    assert "lists every owner's schedules" in complete.summary

    sync(workspace)
    partial = coverage(workspace)
    assert partial.extent == Extent.PARTIAL
    assert partial.summary == "Partial: the schedules of 3 of 8 people are visible."
    assert len(partial.missing) == 5
    assert partial.missing_line.startswith("Missing: ")
    assert partial.wide == []

    # Every other active person connects: each person's own list, complete.
    disabled = [p for p in remote.people if p["isDisabled"]]
    for person in remote.people:
        if person not in people and not person["isDisabled"]:
            connect_person(remote, workspace, person["id"])
    sync(workspace)
    after = coverage(workspace)
    if disabled:  # a disabled person cannot make a pair: never visible
        assert after.extent == Extent.PARTIAL
        assert all("(disabled)" in name for name in after.missing)
    else:
        assert after.extent == Extent.COMPLETE
        assert after.summary == "Complete: every person has a working connection."
