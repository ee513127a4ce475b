"""What the plan, flow and workflow lists share: item shapes, sorting, paging.

docs/aac-api.md, Plans flows workflows and their runs: an asset has `id`,
`name`, `description`, `createdAt`, `updatedAt` and `creator {id}`; the
`workspace {id}` and, for workflows, `type` (CLOUD or DESKTOP) are guesses.
Lists take `limit` (default 25), `offset`, `sort` and `includeCount`.
"""

from collections.abc import Callable

from aacsim import data
from aacsim.api.replies import choice, envelope, paging, wants_count
from aacsim.assets import Asset
from aacsim.messages import SimRequest, SimResponse, dumps

SORTS = {
    "id": lambda asset: asset.id,
    "name": lambda asset: asset.name,
    "createdAt": lambda asset: asset.created_at,
    "updatedAt": lambda asset: asset.updated_at,
}
SORT_CHOICES = tuple(p + key for key in SORTS for p in ("", "-"))


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
) -> SimResponse:
    """One page of `assets` in the requested order, each encoded."""
    limit, offset = paging(request)
    sort = choice(request, "sort", SORT_CHOICES, "id")
    ordered = sorted(assets, key=SORTS[sort.lstrip("-")], reverse=sort[0] == "-")
    items = [dumps(encode(asset)) for asset in ordered[offset : offset + limit]]
    counted = always_count or wants_count(request)
    return envelope(items, len(assets) if counted else None)
