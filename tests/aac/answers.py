"""AAC's answers, as the client tests send them back through `responses`."""

from responses import matchers

from tests.aac.conftest import API

WORKSPACE = {
    "id": 7,
    "name": "Demo",
    "gid": "01HZX3F8W2Q4N5R6S7T8V9W0XY",
    "state": "active",
}
WORKFLOW_ID = "01J8ZK3M4N5P6Q7R8S9T0V1W2X"


def v4_error(name: str, message: str) -> dict:
    """The v4 API's error body."""
    return {"exception": {"name": name, "message": message, "details": "..."}}


def service_error(kind: str, message: str) -> dict:
    """The workflow service's error body."""
    return {"kind": kind, "message": message, "errors": [], "params": {}}


def items(first_id: int, n: int) -> list[dict]:
    return [{"id": i, "name": f"Item {i}"} for i in range(first_id, first_id + n)]


def add_page(rsps, path: str, *, params: dict, items: list[dict], **body) -> None:
    """One list page, answered only to exactly these query parameters."""
    rsps.get(
        f"{API}{path}",
        json={"data": items, **body},
        match=[matchers.query_param_matcher(params)],
    )
