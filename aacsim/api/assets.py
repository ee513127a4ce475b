"""What the plan, flow and workflow lists share: item shapes, ownership,
sorting, paging.

docs/aac-api.md, Plans flows workflows and their runs: an asset has `id`,
`name`, `description`, `createdAt`, `updatedAt` and `creator {id}`; the
`workspace {id}` and, for workflows, `type` (CLOUD or DESKTOP) are guesses.
Lists take `limit` (default 25), `offset`, `sort` and `includeCount`. The
plan and flow lists take `ownershipFilter` (`all | shared | owned`; the
flows' is a guess) and without it hold only the caller's own.
"""

from collections.abc import Callable

from aacsim import data
from aacsim.api.replies import DEFAULT_LIMIT, choice, envelope, paging, wants_count
from aacsim.assets import Asset
from aacsim.messages import SimRequest, SimResponse, dumps

SORTS = {
    "id": lambda asset: asset.id,
    "name": lambda asset: asset.name,
    "createdAt": lambda asset: asset.created_at,
    "updatedAt": lambda asset: asset.updated_at,
}
SORT_CHOICES = tuple(p + key for key in SORTS for p in ("", "-"))
OWNERSHIP = ("all", "shared", "owned")


def owned_or_shared(request: SimRequest, caller, kind: str) -> list[Asset]:
    """The caller's plans or flows as `ownershipFilter` asks: everything the
    list scope shows them, what is shared with them, or (by default) their own."""
    ownership = choice(request, "ownershipFilter", OWNERSHIP, "owned")
    person = caller.person_id
    assets = caller.workspace.visible_assets(kind, person)
    if ownership == "owned":
        return [asset for asset in assets if asset.owner == person]
    if ownership == "shared":
        return [asset for asset in assets if person in asset.shared_with]
    return assets


def asset_json(asset: Asset, workspace_id: int) -> dict:
    item = {
        "id": asset.id,
        "name": asset.name,
        "description": asset.description,
        "createdAt": data.iso(asset.created_at),
        "updatedAt": data.iso(asset.updated_at),
        "creator": {"id": asset.owner},
        "workspace": {"id": workspace_id},
    }
    if asset.workflow_type:
        item["type"] = asset.workflow_type
    return item


def asset_page(
    request: SimRequest,
    assets: list[Asset],
    encode: Callable[[Asset], dict],
    *,
    always_count: bool = False,
    default_limit: int = DEFAULT_LIMIT,
) -> SimResponse:
    """One page of `assets` in the requested order, each encoded."""
    limit, offset = paging(request, default=default_limit)
    sort = choice(request, "sort", SORT_CHOICES, "id")
    ordered = sorted(assets, key=SORTS[sort.lstrip("-")], reverse=sort[0] == "-")
    items = [dumps(encode(asset)) for asset in ordered[offset : offset + limit]]
    counted = always_count or wants_count(request)
    return envelope(items, len(assets) if counted else None)
