"""`manage.py summarise` counts every workspace's summary, as a sync would."""

from io import StringIO

import pytest
from django.core.management import call_command

from schedules.models import AllWorkspaces, Schedule, WorkspaceSummary
from tests.factories import make_schedules, make_workspace

pytestmark = pytest.mark.django_db


def test_it_counts_the_summaries_of_every_workspace():
    one, two = make_workspace("One"), make_workspace("Two")
    make_schedules(one, 4)
    make_schedules(two, 6)
    # As after an upgrade whose summaries have not been counted yet.
    WorkspaceSummary.objects.all().delete()
    AllWorkspaces.objects.all().delete()
    Schedule.objects.filter(workspace=two, aac_id=1).delete()
    out = StringIO()

    call_command("summarise", stdout=out)

    assert dict(WorkspaceSummary.objects.values_list("pk", "schedules")) == {
        one.pk: 4,
        two.pk: 5,
    }
    assert AllWorkspaces.objects.get().counts["schedules"] == 9
    assert "Summaries of 2 workspaces counted." in out.getvalue()
