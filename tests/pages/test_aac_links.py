"""Links to AAC's own UI come from settings alone: the region's UI host and paths."""

import pytest

from pages.aac_links import aac_url
from tests.factories import make_workspace

pytestmark = pytest.mark.django_db


def test_it_joins_the_regions_host_and_the_configured_path(settings):
    settings.AAC_UI_PATHS = {**settings.AAC_UI_PATHS, "run": "/jobs/{id}/details"}
    workspace = make_workspace(region="us1")

    assert aac_url(workspace, "plan", 15) == "https://us1.alteryxcloud.com/plans/15"
    assert aac_url(workspace, "run", 7) == "https://us1.alteryxcloud.com/jobs/7/details"


def test_a_region_may_name_its_own_ui_host(settings):
    settings.AAC_REGIONS = {
        **settings.AAC_REGIONS,
        "eu1": {**settings.AAC_REGIONS["eu1"], "ui_url": "https://ui.example/"},
    }

    assert aac_url(make_workspace(), "schedule", 5) == "https://ui.example/schedules/5"


def test_an_unknown_region_or_object_has_no_link(settings):
    assert aac_url(make_workspace(region="gone"), "plan", 1) == ""
    assert aac_url(make_workspace(name="Other"), "report", 1) == ""
