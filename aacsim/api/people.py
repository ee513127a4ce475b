"""People: `GET /v4/people`, everyone in the workspace, in id order.

docs/aac-api.md, People: items `id`, `email`, `name`, `isDisabled`, `state`,
`isAdmin`, `lastLoginTime`, in the v4 list envelope with `limit` (default 25),
`offset` and `includeCount`. Every token sees everyone, whatever the list
scope (a guess: the people list is what an owner picker needs).
"""

from aacsim.api.replies import envelope, paging, route, wants_count
from aacsim.messages import SimResponse, dumps


def _list(sim, request, caller, params) -> SimResponse:
    limit, offset = paging(request)
    workspace = caller.workspace
    with sim.lock:
        people = workspace.people
        items = [
            dumps(workspace.person_json(person))
            for person in people[offset : offset + limit]
        ]
    return envelope(items, len(people) if wants_count(request) else None)


ROUTES = (route("GET", r"/v4/people", "people.list", _list),)
