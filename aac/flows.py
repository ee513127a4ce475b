"""Flows: list and run (docs/aac-api.md, Plans flows workflows and their runs)."""

from collections.abc import Iterator

from aac.paging import Page, iter_pages, list_params, ownership_filter, page_limit
from aac.parse import fields
from aac.results import AlreadyStarted, FlowRunStarted
from aac.transport import Answer, Transport

_FLOW = {"id": int}


class FlowCalls(Transport):
    def iter_flow_pages(
        self,
        *,
        ownership: str = "all",
        page_size: int | None = None,
        include_count: bool = False,
    ) -> Iterator[Page]:
        """`GET /v4/flows?ownershipFilter=`: the flows the token sees, by page."""
        return iter_pages(
            self._get,
            "/v4/flows",
            params=list_params(
                include_count=include_count, ownershipFilter=ownership_filter(ownership)
            ),
            limit=page_limit(page_size, self.list_page_size),
            item=_FLOW,
        )

    def run_flow(
        self, flow_id: int, *, execution_id: str | None = None
    ) -> FlowRunStarted | AlreadyStarted:
        """`POST /v4/flows/{id}/run`: start a run, once per execution id."""
        return self._start(
            f"/v4/flows/{flow_id:d}/run",
            execution_id=execution_id,
            parse=_flow_run,
            json={},
        )


def _flow_run(answer: Answer) -> FlowRunStarted:
    doc = fields(answer, answer.doc, {"flowRunId": int, "data": list})
    job_groups = [
        fields(answer, each, {"id": int}, at=f"data[{index}].")["id"]
        for index, each in enumerate(doc["data"])
    ]
    return FlowRunStarted(
        flow_run_id=doc["flowRunId"],
        job_group_ids=tuple(job_groups),
        request_id=answer.request_id,
    )
