import pytest

from aacsim import Fault
from schedules.models import Schedule, SyncRun
from schedules.parse import fingerprint
from schedules.sync.engine import sync_workspace
from schedules.sync.kinds import PEOPLE, SCHEDULES

# Half a day of runs (`make_sim_workspace(history_days=...)`), for tests of
# many schedules that read no past runs: a sync reads the schedules first, and
# a week of runs of 600 schedules is 25,000 runs more to sync.
SHORT_HISTORY = 0.5


@pytest.fixture
def page_size(settings):
    """Pages of 100, so a few hundred schedules make several pages; GETs try twice."""
    settings.AAC_PAGE_SIZE = 100
    settings.AAC_GET_ATTEMPTS = 2
    return 100


def new_run(workspace, trigger=SyncRun.Trigger.BUTTON) -> SyncRun:
    return SyncRun.objects.create(workspace=workspace, trigger=trigger)


def sync(workspace, **options) -> SyncRun:
    """Queue a run the way the portal does, and sync it here and now.

    The people and the schedules unless `kinds` says otherwise: the engine's
    tests are about the engine; those of the assets and runs name theirs.
    """
    options.setdefault("kinds", (PEOPLE, SCHEDULES))
    return sync_workspace(new_run(workspace), **options)


def cache_of(workspace) -> dict[int, str]:
    """The cached schedules: AAC id -> fingerprint of the JSON they came from."""
    rows = Schedule.objects.filter(workspace=workspace)
    return dict(rows.values_list("aac_id", "fingerprint"))


def aac_state(aac_sim, remote) -> dict[int, str]:
    """What a clean sync of the simulated workspace must leave in the cache."""
    return {raw["id"]: fingerprint(raw) for raw in aac_sim.sim.schedules(remote.id)}


def on_list(aac_sim, remote, kind: str, **options) -> None:
    """A fault on the simulated workspace's schedule list (see aacsim.Fault)."""
    aac_sim.sim.faults.add(
        Fault(kind=kind, workspace=remote.id, endpoint="schedules.list", **options)
    )


def active_person(remote) -> int:
    """The id of an active person of a simulated workspace, not its admin: the
    simulator disables some people at random, and a disabled one gets no pair."""
    return next(p["id"] for p in remote.people[1:] if not p["isDisabled"])
