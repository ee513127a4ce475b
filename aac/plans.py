"""Plans: list, count, full detail and run.

The facts: docs/aac-api.md, Plans flows workflows and their runs.
"""

from collections.abc import Iterator

from aac.paging import Page, iter_pages, list_params, ownership_filter, page_limit
from aac.parse import count_of, fields
from aac.results import AlreadyStarted, PlanRunStarted
from aac.transport import Answer, Transport

_PLAN = {"id": int}


class PlanCalls(Transport):
    def iter_plan_pages(
        self,
        *,
        ownership: str = "all",
        page_size: int | None = None,
        include_count: bool = False,
    ) -> Iterator[Page]:
        """`GET /v4/plans?ownershipFilter=`: the plans the token sees, by page."""
        return iter_pages(
            self._get,
            "/v4/plans",
            params=list_params(
                include_count=include_count, ownershipFilter=ownership_filter(ownership)
            ),
            limit=page_limit(page_size, self.list_page_size),
            item=_PLAN,
        )

    def count_plans(self, *, ownership: str = "all") -> int:
        """`GET /v4/plans/count?ownershipFilter=`: how many plans the token sees."""
        answer = self._get(
            "/v4/plans/count", params={"ownershipFilter": ownership_filter(ownership)}
        )
        return count_of(answer)

    def get_plan_full(self, plan_id: int) -> dict:
        """`GET /v4/plans/{id}/full`: one plan with its tasks and snapshots."""
        answer = self._get(f"/v4/plans/{plan_id:d}/full")
        return fields(answer, answer.doc, _PLAN)

    def run_plan(
        self, plan_id: int, *, execution_id: str | None = None
    ) -> PlanRunStarted | AlreadyStarted:
        """`POST /v4/plans/{id}/run`: start a run, once per execution id."""
        return self._start(
            f"/v4/plans/{plan_id:d}/run",
            execution_id=execution_id,
            parse=_plan_run,
            json={},
        )


def _plan_run(answer: Answer) -> PlanRunStarted:
    doc = fields(answer, answer.doc, {"validationStatus": str})
    run_id = doc.get("planSnapshotRunId")
    if run_id is not None or doc["validationStatus"] == "Valid":
        fields(answer, doc, {"planSnapshotRunId": int})
    return PlanRunStarted(
        validation_status=doc["validationStatus"],
        plan_snapshot_run_id=run_id,
        request_id=answer.request_id,
    )
