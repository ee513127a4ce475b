"""Runs: plan snapshot runs, flow runs, job groups and the job library
(docs/aac-api.md, Plans flows workflows and their runs).

Single runs and statuses come back typed (`RunRecord`, a status string), since
the portal follows them; the history lists stay raw item dicts for the sync.
"""

from collections.abc import Iterator
from datetime import datetime

from aac.paging import Page, iter_pages, list_params, page_limit
from aac.parse import JSONTypes, fields, optional_text, timestamp
from aac.results import RunRecord
from aac.transport import Answer, Transport

_RUN = {"id": int}
CREATED_SINCE = "dateFilter[createdAt][gte]"


class RunCalls(Transport):
    def iter_plan_snapshot_run_pages(
        self,
        *,
        status: str | None = None,
        created_since: datetime | None = None,
        page_size: int | None = None,
        include_count: bool = False,
    ) -> Iterator[Page]:
        """`GET /v4/planSnapshotRuns`: plan runs, filtered, a page at a time."""
        params = list_params(
            include_count=include_count,
            status=status,
            **{CREATED_SINCE: epoch_ms(created_since)},
        )
        return iter_pages(
            self._get,
            "/v4/planSnapshotRuns",
            params=params,
            limit=page_limit(page_size, self.list_page_size),
            item=_RUN,
        )

    def get_plan_snapshot_run(self, run_id: int) -> RunRecord:
        """`GET /v4/planSnapshotRuns/{id}`: one plan run and its status."""
        answer = self._get(f"/v4/planSnapshotRuns/{run_id:d}")
        return _run_record(answer, {"id": int, "status": str})

    def cancel_plan_snapshot_run(self, run_id: int) -> None:
        """`POST /v4/planSnapshotRuns/{id}/cancel`: ask AAC to cancel a plan run.

        What AAC answers is not published; read the run again for its status.
        """
        self._post(f"/v4/planSnapshotRuns/{run_id:d}/cancel", empty_ok=True)

    def get_flow_run(self, flow_run_id: int) -> RunRecord:
        """`GET /v4/flowRuns/{id}`: one flow run."""
        return _run_record(self._get(f"/v4/flowRuns/{flow_run_id:d}"), _RUN)

    def get_flow_run_status(self, flow_run_id: int) -> str:
        """`GET /v4/flowRuns/{id}/status`: its status, such as "Complete"."""
        return _bare_status(self._get(f"/v4/flowRuns/{flow_run_id:d}/status"))

    def get_job_group(self, job_group_id: int) -> RunRecord:
        """`GET /v4/jobGroups/{id}`: one job group and its status."""
        answer = self._get(f"/v4/jobGroups/{job_group_id:d}")
        return _run_record(answer, {"id": int, "status": str})

    def get_job_group_status(self, job_group_id: int) -> str:
        """`GET /v4/jobGroups/{id}/status`: a bare JSON string such as "Complete"."""
        return _bare_status(self._get(f"/v4/jobGroups/{job_group_id:d}/status"))

    def iter_job_library_pages(
        self,
        *,
        status: str | None = None,
        ranfrom: str | None = None,
        ranfor: str | None = None,
        run_by: str | int | None = None,
        created_since: datetime | None = None,
        sort: str | None = None,
        page_size: int | None = None,
        include_count: bool = False,
    ) -> Iterator[Page]:
        """`GET /v4/jobLibrary`: job history, filtered and sorted, by page."""
        params = list_params(
            include_count=include_count,
            status=status,
            ranfrom=ranfrom,
            ranfor=ranfor,
            runBy=run_by,
            sort=sort,
            **{CREATED_SINCE: epoch_ms(created_since)},
        )
        return iter_pages(
            self._get,
            "/v4/jobLibrary",
            params=params,
            limit=page_limit(page_size, self.list_page_size),
            item=_RUN,
        )


def epoch_ms(moment: datetime | None) -> int | None:
    """An aware datetime as the epoch milliseconds AAC's date filters take."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("a date filter needs an aware datetime")
    return int(moment.timestamp() * 1000)


def _run_record(answer: Answer, types: JSONTypes) -> RunRecord:
    doc = fields(answer, answer.doc, types)
    return RunRecord(
        id=doc["id"],
        status=optional_text(answer, doc, "status"),
        created_at=timestamp(answer, doc, "createdAt"),
        started_at=timestamp(answer, doc, "startedAt"),
        finished_at=timestamp(answer, doc, "finishedAt"),
        updated_at=timestamp(answer, doc, "updatedAt"),
        request_id=answer.request_id,
        raw=doc,
    )


def _bare_status(answer: Answer) -> str:
    if not isinstance(answer.doc, str) or not answer.doc:
        raise answer.invalid("the answer is not a status string")
    return answer.doc
