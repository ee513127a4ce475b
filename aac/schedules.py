"""Schedules: list, count, read, enable and disable (docs/aac-api.md, Schedules).

Items stay raw dicts with an int `id`: the portal's sync parses triggers and
tasks, and keeps what it does not know.
"""

from collections.abc import Iterator

from aac.paging import Page, iter_pages, list_params, page_limit
from aac.parse import count_of, fields
from aac.results import ScheduleChanged
from aac.transport import Transport

_SCHEDULE = {"id": int}


class ScheduleCalls(Transport):
    def iter_schedule_pages(self, page_size: int | None = None) -> Iterator[Page]:
        """`GET /v4/schedules`: every schedule the token sees, a page at a time."""
        return iter_pages(
            self._get,
            "/v4/schedules",
            params=list_params(),
            limit=page_limit(page_size, self.page_size),
            item=_SCHEDULE,
        )

    def count_schedules(self) -> int:
        """`GET /v4/schedules/count`: how many schedules the token sees."""
        return count_of(self._get("/v4/schedules/count"))

    def get_schedule(self, schedule_id: int) -> dict:
        """`GET /v4/schedules/{id}`: one schedule."""
        answer = self._get(f"/v4/schedules/{schedule_id:d}")
        return fields(answer, answer.doc, _SCHEDULE)

    def enable_schedule(self, schedule_id: int) -> ScheduleChanged:
        """`POST /v4/schedules/{id}/enable`: AAC answers with the schedule.

        Only the schedule's owner may: anyone else gets AccessDenied.
        """
        return self._set_schedule_state(schedule_id, "enable")

    def disable_schedule(self, schedule_id: int) -> ScheduleChanged:
        """`POST /v4/schedules/{id}/disable`: AAC answers with the schedule.

        Only the schedule's owner may: anyone else gets AccessDenied.
        """
        return self._set_schedule_state(schedule_id, "disable")

    def _set_schedule_state(self, schedule_id: int, action: str) -> ScheduleChanged:
        answer = self._post(f"/v4/schedules/{schedule_id:d}/{action}")
        schedule = fields(answer, answer.doc, _SCHEDULE)
        return ScheduleChanged(schedule=schedule, request_id=answer.request_id)
