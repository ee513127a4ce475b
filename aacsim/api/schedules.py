"""Schedules: list, count, get, enable, disable, delete.

docs/aac-api.md, Schedules: `limit` 1-1000, default 10; the list holds the
schedules the workspace's list scope lets the caller see; only a schedule's
owner may change it. What AAC answers a non-owner is unpublished: here 403
`AccessControlException` with a message naming the owner rule.
"""

from aacsim.api.replies import (
    Refusal,
    choice,
    envelope,
    int_id,
    not_found,
    paging,
    route,
    v4_error,
    wants_count,
)
from aacsim.messages import JSON, SimResponse
from aacsim.workspace import NotOwner

SORTS = ("id", "-id", "updatedAt", "-updatedAt", "name", "-name")
DEFAULT_LIMIT = 10


def _list(sim, request, caller, params) -> SimResponse:
    limit, offset = paging(request, default=DEFAULT_LIMIT)
    sort = choice(request, "sort", SORTS, "id")
    workspace = caller.workspace
    with sim.lock:
        ids = workspace.visible_schedule_ids(caller.person_id, sort)
        items = [workspace.encoded(i) for i in ids[offset : offset + limit]]
    return envelope(items, len(ids) if wants_count(request) else None)


def _count(sim, request, caller, params) -> SimResponse:
    with sim.lock:
        count = len(caller.workspace.visible_schedule_ids(caller.person_id, "id"))
    return SimResponse.json(200, {"count": count})


def _get(sim, request, caller, params) -> SimResponse:
    schedule_id = int_id(params["id"])
    with sim.lock:
        if schedule_id not in caller.workspace.schedules:
            raise not_found(f"Schedule with id {schedule_id}")
        body = caller.workspace.encoded(schedule_id)
    return SimResponse(200, body, {"Content-Type": JSON})


def _not_the_owner(schedule_id: int) -> Refusal:
    return Refusal(
        v4_error(
            403,
            "AccessControlException",
            "Only the owner of the schedule's asset may change the schedule",
            f"schedule {schedule_id}",
        )
    )


def _setter(enabled: bool):
    def set_enabled(sim, request, caller, params) -> SimResponse:
        schedule_id = int_id(params["id"])
        try:
            schedule = sim.set_enabled(caller, schedule_id, enabled)
        except NotOwner:
            raise _not_the_owner(schedule_id) from None
        if schedule is None:
            raise not_found(f"Schedule with id {schedule_id}")
        return SimResponse.json(200, schedule)

    return set_enabled


def _delete(sim, request, caller, params) -> SimResponse:
    schedule_id = int_id(params["id"])
    try:
        deleted = sim.delete_schedule(caller, schedule_id)
    except NotOwner:
        raise _not_the_owner(schedule_id) from None
    if not deleted:
        raise not_found(f"Schedule with id {schedule_id}")
    return SimResponse(204)


_ID = r"/v4/schedules/(?P<id>[^/]+)"
ROUTES = (
    route("GET", r"/v4/schedules", "schedules.list", _list),
    route("GET", r"/v4/schedules/count", "schedules.count", _count),
    route("GET", _ID, "schedules.get", _get),
    route("POST", _ID + "/enable", "schedules.enable", _setter(True)),
    route("POST", _ID + "/disable", "schedules.disable", _setter(False)),
    route("DELETE", _ID, "schedules.delete", _delete),
)
