"""SQL statements per sync: a constant per page, plus a constant per sync."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schedules.models import SyncRun
from tests.schedules.conftest import sync

pytestmark = pytest.mark.django_db


def statements(workspace) -> int:
    with CaptureQueriesContext(connection) as queries:
        run = sync(workspace)
    assert run.status == SyncRun.Status.SUCCEEDED
    return len(queries)


def test_twenty_pages_cost_only_the_per_page_statements_more_than_two(
    make_sim_workspace, settings
):
    settings.AAC_PAGE_SIZE = 20
    with time_machine.travel(timezone.now(), tick=False):
        _, two = make_sim_workspace("Two pages", schedules=39)
        _, twenty = make_sim_workspace("Twenty pages", schedules=399)
        # The first sync ever also creates the sum of every workspace's
        # summary (`schedules.summaries`): not a cost of either.
        sync(make_sim_workspace("First", schedules=1)[1])

        first = statements(two), statements(twenty)
        again = statements(two), statements(twenty)

    # A first sync: per page one upsert (and, once, the people list may
    # correct owners' disabled flags and their names: a statement each,
    # whatever their number; which it does depends on the simulated data).
    assert first[1] - first[0] in (18, 18 + 1, 18 + 2)
    # Nothing changed: no statement per page at all.
    assert again[1] - again[0] == 0
