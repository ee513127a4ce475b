"""Plans, flows, workflows and the run history as kinds of the one sync engine.

The assets are complete lists, read whole and compared with every stored row
like the schedules; their last run and failure streak are `derived`, left to
the rollups. The run history is AAC's job library (every plan, flow and
workflow run, each a job group), read from a watermark
(`schedules.sync.incremental`), oldest first, and never deleted for being
missing from a window.
"""

from datetime import datetime

from django.db.models import Q

from aac import AACClient
from schedules.assets import rollups
from schedules.assets.models import UNFINISHED, Asset, Flow, Plan, Run, Workflow
from schedules.assets.parse import parse_flow, parse_plan, parse_run, parse_workflow
from schedules.sync.incremental import Watermark
from schedules.sync.kinds import Kind
from schedules.triggers.clock import parse_instant


def _job_library_since(client: AACClient, since: datetime):
    return client.iter_job_library_pages(created_since=since, sort="createdAt")


def _created(item: dict) -> datetime | None:
    return parse_instant(item.get("createdAt"))


PLANS = Kind(
    name="plans",
    model=Plan,
    key="aac_id",
    list_pages=AACClient.iter_plan_pages,
    parse=parse_plan,
    count=AACClient.count_plans,
    derived=Asset.DERIVED,
)
FLOWS = Kind(
    name="flows",
    model=Flow,
    key="aac_id",
    list_pages=AACClient.iter_flow_pages,
    parse=parse_flow,
    derived=Asset.DERIVED,
)
WORKFLOWS = Kind(
    name="workflows",
    model=Workflow,
    key="aac_id",
    list_pages=AACClient.iter_workflow_pages,
    parse=parse_workflow,
    derived=Asset.DERIVED,
)
RUNS = Kind(
    name="runs",
    model=Run,
    key="aac_id",
    list_pages=AACClient.iter_job_library_pages,
    parse=parse_run,
    deletes_missing=False,
    after_apply=rollups.after_runs,
    window=Watermark(
        model=Run,
        created="aac_created_at",
        unfinished=Q(status__in=UNFINISHED),
        list_since=_job_library_since,
        created_of=_created,
    ),
)

# In this order: the runs' rollups update the assets applied before them.
ASSET_KINDS = (PLANS, FLOWS, WORKFLOWS, RUNS)
