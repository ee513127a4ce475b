"""AAC's people list → `Person` rows, and what the portal learns from it.

A person is read as strictly as a schedule (`schedules.parse`): an item
without a usable id is ignored, anything else is stored with its raw JSON.
Once a sync has applied the people, schedule owners take their disabled flag
(and a name the schedule lacked) from them, and connections their person's
name and e-mail (docs/aac-api.md, People).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import CharField, Exists, OuterRef, Subquery
from django.db.models.functions import Cast

from schedules.models import Person, Schedule
from schedules.parse import canonical_json, digest
from schedules.triggers.clock import parse_instant
from workspaces.models import Connection, Workspace


@dataclass(frozen=True)
class ParsedPerson:
    aac_id: int
    fields: dict
    raw_json: str
    fingerprint: str
    problems: tuple[str, ...]


def parse_person(raw: object, *, now: datetime) -> ParsedPerson | None:
    """Read one item of AAC's people list; None when it has no usable id."""
    if not isinstance(raw, dict):
        return None
    aac_id = raw.get("id")
    if type(aac_id) is not int or not 0 < aac_id < 2**63:
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
    }
    raw_json = canonical_json(raw)
    return ParsedPerson(
        aac_id=aac_id,
        fields=fields,
        raw_json=raw_json,
        fingerprint=digest(raw_json),
        problems=tuple(problems),
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _people_of(workspace: Workspace, *, key: OuterRef | str):
    """The workspace's people whose AAC id is the (text) `key`."""
    people = Person.objects.filter(workspace=workspace).annotate(
        key=Cast("aac_id", CharField())
    )
    return people.filter(key=key)


def link_owners(workspace: Workspace) -> int:
    """Owners take their disabled flag, and a missing name or e-mail, from the
    people list: a schedule's own `creator` may be absent or stale.

    Only rows that differ are written, so a steady state writes nothing.
    Owners the people list does not hold keep what their schedule said.
    """
    owner = _people_of(workspace, key=OuterRef("owner_id"))
    schedules = Schedule.objects.filter(workspace=workspace).alias(
        known=Exists(owner), disabled_now=Exists(owner.filter(disabled=True))
    )
    changed = schedules.filter(
        known=True, disabled_now=True, owner_disabled=False
    ).update(owner_disabled=True)
    changed += schedules.filter(
        known=True, disabled_now=False, owner_disabled=True
    ).update(owner_disabled=False)
    for column, source in (("owner_name", "name"), ("owner_email", "email")):
        changed += (
            schedules.filter(known=True, **{column: ""})
            .exclude(owner_id="")
            .update(**{column: Subquery(owner.values(source)[:1])})
        )
    return changed


def name_connections(workspace: Workspace) -> int:
    """Each connection's person gets the name and e-mail the people list gives."""
    changed = 0
    for connection in Connection.objects.filter(workspace=workspace).exclude(
        aac_person_id=""
    ):
        person = _people_of(workspace, key=connection.aac_person_id).first()
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
