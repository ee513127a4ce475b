"""Cloud-native workflows: the v4 list, the workflow service's list, and runs
(docs/aac-api.md, Plans flows workflows and their runs).

Their ids are 26-character ULIDs, not numbers. The workflow service answers
errors as `{"kind", "message"}`; `aac.failures` reads that shape too.
"""

import re
from collections.abc import Iterator

from aac.paging import Page, iter_pages, list_params, page_limit
from aac.parse import fields, numeric_id
from aac.results import AlreadyStarted, WorkflowRunStarted
from aac.transport import Answer, Transport

SERVICE = "/svc-workflow/api/v1/workflows"
_WORKFLOW = {"id": str}
_ULID = re.compile(r"[0-9A-Za-z]{26}")


class WorkflowCalls(Transport):
    def iter_workflow_pages(self, *, page_size: int | None = None) -> Iterator[Page]:
        """`GET /v4/workflows`: the workflows the token sees, with their total."""
        return iter_pages(
            self._get,
            "/v4/workflows",
            params=list_params(),
            limit=page_limit(page_size, self.list_page_size),
            item=_WORKFLOW,
        )

    def iter_workflow_service_pages(
        self, *, page_size: int | None = None, include_count: bool = False
    ) -> Iterator[Page]:
        """`GET /svc-workflow/api/v1/workflows`: the same from the workflow service."""
        return iter_pages(
            self._get,
            SERVICE,
            params=list_params(include_count=include_count),
            limit=page_limit(page_size, self.list_page_size),
            item=_WORKFLOW,
        )

    def run_workflow(
        self, workflow_id: str, *, execution_id: str | None = None
    ) -> WorkflowRunStarted | AlreadyStarted:
        """`POST /svc-workflow/api/v1/workflows/{id}/run`: queue a job, once."""
        if not _ULID.fullmatch(workflow_id):
            raise ValueError("a workflow id is a 26-character ULID")
        return self._start(
            f"{SERVICE}/{workflow_id}/run", execution_id=execution_id, parse=_job
        )


def _job(answer: Answer) -> WorkflowRunStarted:
    doc = fields(answer, answer.doc, {"jobStatus": str})
    return WorkflowRunStarted(
        job_id=numeric_id(answer, doc, "jobId"),
        job_status=doc["jobStatus"],
        job_group_id=numeric_id(answer, doc, "jobgroupId"),
        request_id=answer.request_id,
    )
