"""What the three run endpoints share: execution ids, quotas, their headers.

docs/aac-api.md, Conventions of the v4 API: a repeated `x-execution-id`
answers 304 with no body and starts nothing; over quota answers 429 with
`x-retry-after` and the `x-rate-limit-*` headers, which every run answer
carries. The run itself starts in `aacsim.launch`.
"""

from collections.abc import Callable

from aacsim.api.replies import error
from aacsim.assets import Asset
from aacsim.launch import launch
from aacsim.messages import SimRequest, SimResponse

EXECUTION_ID = "x-execution-id"


def start(
    sim,
    request: SimRequest,
    caller,
    asset: Asset,
    answer: Callable,
    *,
    status: int = 201,
    dialect: str = "v4",
) -> SimResponse:
    """Start `asset` for the caller; `answer(store, run, now)` is the body."""
    with sim.lock:
        workspace = caller.workspace
        sim.catch_up(workspace)
        now = sim.clock()
        result = launch(
            workspace,
            asset,
            person_id=caller.person_id,
            now=now,
            seed=sim.seed,
            execution_id=request.headers.get(EXECUTION_ID) or None,
        )
        if result.repeated:
            return SimResponse(304)
        if result.retry_after is not None:
            refused = error(
                dialect,
                429,
                f"Too many {asset.kind} runs; retry in {result.retry_after} s",
            )
            headers = {
                **refused.headers,
                **result.headers,
                "x-retry-after": str(result.retry_after),
            }
            return SimResponse(429, refused.body, headers)
        body = answer(workspace.runs, result.run, now)
    return SimResponse.json(status, body, **result.headers)
