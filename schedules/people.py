"""AAC's people list → `Person` rows, and what the portal learns from it.

A person is read as strictly as a schedule (`schedules.parse`): an item
without a usable id is ignored, anything else is stored with its raw JSON.
Once a sync has applied the people, schedule owners take their disabled flag
(and a name the schedule lacked) from them, and connections their person's
name and e-mail (docs/aac-api.md, People).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, F, Q, Value, When

from schedules.models import Person, Schedule
from schedules.parse import Identity, identify
from schedules.triggers.clock import parse_instant
from workspaces.models import Connection, Workspace


@dataclass(frozen=True)
class ParsedPerson:
    aac_id: int
    fields: dict
    raw_json: str
    fingerprint: str
    problems: tuple[str, ...]


def parse_person(
    raw: object, *, now: datetime, identity: Identity | None = None
) -> ParsedPerson | None:
    """Read one item of AAC's people list; None when it has no usable id.

    `identity` is the item's, when the caller has read it already.
    """
    identity = identity or identify(raw)
    if identity is None:
        return None
    problems = []
    last_login = raw.get("lastLoginTime")
    last_login_at = parse_instant(last_login) if last_login is not None else None
    if last_login is not None and last_login_at is None:
        problems.append("lastLoginTime is not a date")
    state = _text(raw.get("state"))
    fields = {
        "email": _text(raw.get("email"))[:255],
        "name": _text(raw.get("name"))[:255],
        "disabled": raw.get("isDisabled") is True or state == "disabled",
        "state": state[:50],
        "is_admin": raw.get("isAdmin") is True,
        "last_login_at": last_login_at,
        "unparsed": bool(problems),
    }
    return ParsedPerson(
        aac_id=identity.aac_id,
        fields=fields,
        raw_json=identity.raw_json,
        fingerprint=identity.fingerprint,
        problems=tuple(problems),
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def link_owners(workspace: Workspace) -> int:
    """Owners take their disabled flag, and a missing name or e-mail, from the
    people list: a schedule's own `creator` may be absent or stale.

    Two reads of the distinct owners (from the `schedule_seen_by` index), and
    at most one write for each correction, only when some owner's rows differ:
    a steady state writes nothing. Owners the people list does not hold keep
    what their schedules said.
    """
    people = {
        str(aac_id): (disabled, name, email)
        for aac_id, disabled, name, email in Person.objects.filter(
            workspace=workspace
        ).values_list("aac_id", "disabled", "name", "email")
    }
    schedules = Schedule.objects.filter(workspace=workspace).exclude(owner_id="")
    flags = schedules.values_list("owner_id", "owner_disabled").distinct()
    wrong = {o for o, disabled in flags if o in people and people[o][0] != disabled}
    changed = 0
    if wrong:
        changed += schedules.filter(owner_id__in=wrong).update(
            owner_disabled=_by_owner({o: people[o][0] for o in wrong}, "owner_disabled")
        )
    unnamed = schedules.filter(Q(owner_name="") | Q(owner_email=""))
    known = set(unnamed.values_list("owner_id", flat=True).distinct()) & people.keys()
    if known:
        names = {o: people[o][1] for o in known}
        emails = {o: people[o][2] for o in known}
        changed += unnamed.filter(owner_id__in=known).update(
            owner_name=_by_owner(names, "owner_name", only_blank=True),
            owner_email=_by_owner(emails, "owner_email", only_blank=True),
        )
    return changed


def _by_owner(values: dict, column: str, *, only_blank: bool = False) -> Case:
    """`column` set per owner id; a filled value kept when `only_blank`."""
    keep = {column: ""} if only_blank else {}
    return Case(
        *[When(owner_id=owner, **keep, then=Value(v)) for owner, v in values.items()],
        default=F(column),
    )


def name_connections(workspace: Workspace) -> int:
    """Each connection's person gets the name and e-mail the people list gives."""
    people = {
        str(person.aac_id): person
        for person in Person.objects.filter(workspace=workspace)
    }
    changed = 0
    for connection in Connection.objects.filter(workspace=workspace):
        person = people.get(connection.aac_person_id)
        if person is None:
            continue
        if (connection.person_email, connection.person_name) != (
            person.email,
            person.name,
        ):
            changed += Connection.objects.filter(pk=connection.pk).update(
                person_email=person.email, person_name=person.name
            )
    return changed
