"""Builders for the small named world the tests use.

alice owns (superuser), bob is an operator of his workspaces, carol a viewer,
charlie has no access: `make_user` builds any of them.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from api.models import ApiToken
from api.tokens import create_token, revoke
from schedules import summaries
from schedules.models import (
    Person,
    Plan,
    Run,
    Schedule,
    SyncRun,
    TaskKind,
    TriggerKind,
)
from workspaces.models import MAX_CONNECTIONS, Connection, Membership, Workspace

# What `make_workspace` hands to the workspace's connection rather than the
# workspace.
CONNECTION_FIELDS = {field.name for field in Connection._meta.fields} - {
    "id",
    "workspace",
    "slot",
}


def make_user(username="alice", *, superuser=False, password="pw-for-tests-1"):
    create = (
        get_user_model().objects.create_superuser
        if superuser
        else get_user_model().objects.create_user
    )
    return create(username, f"{username}@example.com", password)


def make_workspace(name="Acme EU", *, region="eu1", connection=True, **fields):
    """A workspace with one working connection that holds no tokens (tests that
    need tokens use `make_sim_workspace`); connection fields (state, token
    expiry, ...) among `fields` go to that connection. `connection=False`: none.
    """
    own = {key: fields.pop(key) for key in list(fields) if key in CONNECTION_FIELDS}
    workspace = Workspace.objects.create(name=name, region=region, **fields)
    if connection:
        make_connection(workspace, **own)
    return workspace


def make_connection(workspace, *, slot=None, **fields):
    """A connection without tokens, "ok" unless told, in the next free slot."""
    if slot is None:
        used = set(workspace.connections.values_list("slot", flat=True))
        slot = min(set(range(MAX_CONNECTIONS)) - used)
    fields.setdefault("state", Connection.State.OK)
    return Connection.objects.create(workspace=workspace, slot=slot, **fields)


def make_person(workspace, aac_id, *, name="", email="", disabled=False, seen_by=1):
    return Person.objects.create(
        workspace=workspace,
        aac_id=aac_id,
        name=name or f"Person {aac_id}",
        email=email or f"person{aac_id}@example.com",
        disabled=disabled,
        raw={"id": aac_id},
        synced_at=timezone.now(),
        seen_by=seen_by,
    )


def add_member(user, workspace, role=Membership.Role.VIEWER):
    return Membership.objects.create(user=user, workspace=workspace, role=role)


def make_people(workspace) -> dict:
    """The named world around one workspace: alice (superuser), bob operates it,
    carol views it, charlie has no access."""
    bob, carol = make_user("bob"), make_user("carol")
    add_member(bob, workspace, Membership.Role.OPERATOR)
    add_member(carol, workspace, Membership.Role.VIEWER)
    return {
        "alice": make_user("alice", superuser=True),
        "bob": bob,
        "carol": carol,
        "charlie": make_user("charlie"),
    }


def make_schedule(workspace, *, aac_id=None, **fields):
    if aac_id is None:
        aac_id = (
            Schedule.objects.filter(workspace=workspace).order_by("-aac_id").first()
        )
        aac_id = aac_id.aac_id + 1 if aac_id else 1
    fields.setdefault("name", f"Schedule {aac_id}")
    fields.setdefault("raw", {"id": aac_id})
    fields.setdefault("synced_at", timezone.now())
    fields.setdefault("seen_by", 1)
    schedule = Schedule.objects.create(workspace=workspace, aac_id=aac_id, **fields)
    summaries.record(workspace.pk)  # as the sync that stores it does
    return schedule


def make_schedules(workspace, count, *, owners=20, start_id=1, now=None):
    """`count` varied schedules in one bulk_create: owners, kinds, next runs.

    Owner i is disabled when i % 7 == 0; every third schedule is disabled;
    next runs spread over the coming week, one schedule in eleven has none.
    """
    now = now or timezone.now()
    tasks, triggers = list(TaskKind), list(TriggerKind)
    rows = []
    for i in range(start_id, start_id + count):
        owner = i % owners
        rows.append(
            Schedule(
                workspace=workspace,
                aac_id=i,
                name=f"{workspace.name} schedule {i:05d}",
                enabled=i % 3 != 0,
                trigger_kind=triggers[i % len(triggers)],
                cron="0 * * * *",
                timezone="Europe/Paris",
                description="At minute 0 of every hour",
                next_run_at=None if i % 11 == 0 else now + timedelta(minutes=37 * i),
                last_execution_at=now - timedelta(hours=i % 48),
                task_kind=tasks[i % len(tasks)],
                target_name=f"Plan {i % 50}",
                owner_name=f"Owner {owner:02d}",
                owner_email=f"owner{owner:02d}@example.com",
                owner_disabled=owner % 7 == 0,
                aac_updated_at=now - timedelta(days=i % 30),
                raw={"id": i},
                synced_at=now,
                seen_by=1,
            )
        )
    made = Schedule.objects.bulk_create(rows, batch_size=1000)
    summaries.record(workspace.pk)  # as the sync that stores them does
    return made


def make_run(workspace, *, status="queued", trigger="beat", schedules=None, **fields):
    """A SyncRun as the sync leaves it: a running one has started and beats.

    `schedules` are its counts of schedules (`seen`, `created`, ...).
    """
    if status == SyncRun.Status.RUNNING:
        fields.setdefault("started_at", timezone.now())
        fields.setdefault("heartbeat_at", fields["started_at"])
    if schedules is not None:
        fields["counts"] = {"schedules": schedules}
    return SyncRun.objects.create(
        workspace=workspace, trigger=trigger, status=status, **fields
    )


def make_asset(model, workspace, aac_id, **fields):
    """A plan, flow or workflow (`model`) as the sync leaves it."""
    fields.setdefault("name", f"{model.kind.title()} {aac_id}")
    fields.setdefault("raw", {"id": aac_id})
    fields.setdefault("synced_at", timezone.now())
    fields.setdefault("seen_by", 1)
    return model.objects.create(workspace=workspace, aac_id=aac_id, **fields)


def make_aac_run(workspace, *, asset=None, status="Complete", created=None, **fields):
    """A run of `asset` (a plan, flow or workflow row) as the sync leaves it.

    Created `created` (default now), started a minute later and, once
    finished, ten minutes after that; ids follow on per workspace.
    """
    created = created or timezone.now()
    last = Run.objects.filter(workspace=workspace).order_by("-aac_id").first()
    aac_id = fields.pop("aac_id", last.aac_id + 1 if last else 1_000_000_001)
    started = created + timedelta(minutes=1)
    finished = status in ("Complete", "Failed", "Canceled")
    if asset is not None:
        fields.setdefault("asset_kind", asset.kind)
        fields.setdefault("asset_aac_id", str(asset.aac_id))
        fields.setdefault("asset_name", asset.name)
    fields.setdefault("started_at", started)
    fields.setdefault(
        "finished_at", started + timedelta(minutes=10) if finished else None
    )
    fields.setdefault("duration_seconds", 600 if finished else None)
    fields.setdefault("ranfrom", "schedule")
    fields.setdefault("raw", {"id": aac_id})
    fields.setdefault("synced_at", timezone.now())
    fields.setdefault("seen_by", 1)
    return Run.objects.create(
        workspace=workspace,
        aac_id=aac_id,
        status=status,
        aac_created_at=created,
        **fields,
    )


def make_history(workspace, count, *, plans=10, now=None, schedules=()):
    """`count` runs of `plans` plans (made if missing), one every ten minutes
    back from `now`, in one bulk_create: every fifth failed, every seventh
    from the UI, each started by one of `schedules` (AAC ids) in turn."""
    now = now or timezone.now()
    assets = [
        Plan.objects.get_or_create(
            workspace=workspace,
            aac_id=1_500_001 + i,
            defaults={"name": f"Plan {i}", "raw": {}, "synced_at": now, "seen_by": 1},
        )[0]
        for i in range(plans)
    ]
    last = Run.objects.filter(workspace=workspace).order_by("-aac_id").first()
    first_id = last.aac_id + 1 if last else 1_000_000_001
    rows = []
    for i in range(count):
        plan = assets[i % plans]
        created = now - timedelta(minutes=10 * i)
        rows.append(
            Run(
                workspace=workspace,
                aac_id=first_id + i,
                asset_kind="plan",
                asset_aac_id=str(plan.aac_id),
                asset_name=plan.name,
                schedule_aac_id=schedules[i % len(schedules)] if schedules else None,
                status="Failed" if i % 5 == 0 else "Complete",
                ranfrom="ui" if i % 7 == 0 else "schedule",
                run_by_aac_id=100 + i % 4,
                aac_created_at=created,
                started_at=created,
                finished_at=created + timedelta(minutes=3),
                duration_seconds=180,
                error_message="Quota exceeded" if i % 5 == 0 else "",
                raw={"id": first_id + i},
                synced_at=now,
                seen_by=1,
            )
        )
    return Run.objects.bulk_create(rows, batch_size=1000)


def make_token(user, *, name="script", read_only=False, expires_at=None, revoked=False):
    """An API token of `user`, and its secret."""
    token, secret = create_token(
        user=user, name=name, read_only=read_only, expires_at=expires_at
    )
    if revoked:
        revoke(ApiToken.objects.filter(pk=token.pk))
    return token, secret
