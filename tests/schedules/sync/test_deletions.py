"""A schedule AAC stops listing is deleted only when two consistent reads in a row
miss it (docs/reliability.md rule 9): offset paging can skip an object when
another is removed between two pages, and an inconsistent read proves nothing.

AAC's list is scripted here read by read (what each read lists, and the count
before and after it), through a copy of the schedules kind.
"""

from dataclasses import replace

import pytest

from schedules.models import Schedule, SyncRun
from schedules.sync.engine import sync_workspace
from schedules.sync.kinds import SCHEDULES
from tests.schedules.conftest import new_run, sync

pytestmark = pytest.mark.django_db


class Script:
    """AAC's list, read by read: what the n-th read lists, and AAC's count before
    and after its pages; the last read repeats."""

    def __init__(self, reads: list[tuple[list[dict], int, int]]) -> None:
        self.reads, self.read, self.counted = reads, -1, 0

    def count(self, client) -> int:
        if self.counted % 2 == 0:  # the count before a read's pages
            self.read = min(self.read + 1, len(self.reads) - 1)
        self.counted += 1
        _, before, after = self.reads[self.read]
        return before if self.counted % 2 else after

    def list_pages(self, client):
        yield list(self.reads[self.read][0])


def scripted(reads):
    script = Script(reads)
    return replace(SCHEDULES, count=script.count, list_pages=script.list_pages)


@pytest.fixture
def three_cached(aac_sim, make_sim_workspace):
    remote, workspace = make_sim_workspace("Deletions", schedules=3)
    assert sync(workspace).status == SyncRun.Status.SUCCEEDED
    return aac_sim.sim.schedules(remote.id), workspace


def stored_ids(workspace) -> set[int]:
    return set(
        Schedule.objects.filter(workspace=workspace).values_list("aac_id", flat=True)
    )


def test_two_consistent_reads_missing_a_schedule_delete_it(three_cached):
    (first, second, _third), workspace = three_cached
    kind = scripted([([first, second], 2, 2)])

    run = sync_workspace(new_run(workspace), kinds=[kind])

    assert run.counts_of("schedules").deleted == 1
    assert stored_ids(workspace) == {first["id"], second["id"]}


def test_an_inconsistent_read_between_two_misses_confirms_nothing(three_cached):
    (first, second, third), workspace = three_cached
    kind = scripted(
        [
            ([first, second], 2, 2),  # misses the third
            ([first, second], 2, 3),  # the count moved: proves nothing
            ([first, second], 2, 2),  # misses it again, once in a row
        ]
    )

    run = sync_workspace(new_run(workspace), kinds=[kind])

    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.counts_of("schedules").deleted == 0
    assert stored_ids(workspace) == {first["id"], second["id"], third["id"]}


def test_a_schedule_listed_again_by_the_second_read_stays(three_cached):
    (first, second, third), workspace = three_cached
    kind = scripted([([first, second], 2, 2), ([first, second, third], 3, 3)])

    run = sync_workspace(new_run(workspace), kinds=[kind])

    assert run.counts_of("schedules").deleted == 0
    assert stored_ids(workspace) == {first["id"], second["id"], third["id"]}
