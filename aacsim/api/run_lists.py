"""Runs many at a time: `GET /v4/planSnapshotRuns` and `GET /v4/jobLibrary`.

docs/aac-api.md, Plans flows workflows and their runs: filters `status`,
`ranfrom` (ui, schedule, api), `ranfor` (plan, flow, workflow: a guess),
`runBy` (a person id), `dateFilter[createdAt][gte]` and `[lte]` (epoch
milliseconds), `sort` (`-createdAt` by default, `createdAt`, `id`, `-id`: ids
follow creation), `limit` (default 25), `offset`, `includeCount`. Several
values of one filter are comma-separated (a guess). The date filter bisects
the creation-ordered store, so an incremental listing costs its page.
"""

import re

from aacsim.api.replies import choice, envelope, invalid, paging, route, wants_count
from aacsim.api.runs import job_group_json, run_json
from aacsim.assets import KINDS
from aacsim.messages import SimRequest, SimResponse, dumps
from aacsim.runs import RANFROM, STATUSES

SORTS = ("-createdAt", "createdAt", "-id", "id")
_DATE_FILTER = re.compile(r"dateFilter\[(\w+)\]\[(\w+)\]")


def _date_filter(request: SimRequest) -> tuple[float | None, float | None]:
    """(gte, lte) in epoch seconds from `dateFilter[createdAt][gte|lte]`."""
    bounds: dict[str, float] = {}
    for name, values in request.query.items():
        match = _DATE_FILTER.fullmatch(name)
        if name.startswith("dateFilter") and (
            match is None or match[1] != "createdAt" or match[2] not in ("gte", "lte")
        ):
            raise invalid(f"{name}: only dateFilter[createdAt][gte|lte] is supported")
        if match is not None:
            if not re.fullmatch(r"[0-9]{1,16}", values[0]):
                raise invalid(f"{name} must be epoch milliseconds")
            bounds[match[2]] = int(values[0]) / 1000
    return bounds.get("gte"), bounds.get("lte")


def _one_of(request: SimRequest, name: str, choices: tuple) -> set[str] | None:
    raw = request.param(name)
    if raw is None:
        return None
    values = set(raw.split(","))
    if not values <= set(choices):
        raise invalid(f"{name} must be among {', '.join(choices)}")
    return values


def _tests(request: SimRequest, workspace, person_id: int, now: float) -> list:
    tests = []
    statuses = _one_of(request, "status", STATUSES)
    if statuses is not None:
        tests.append(lambda run: run.status(now) in statuses)
    ranfrom = _one_of(request, "ranfrom", RANFROM)
    if ranfrom is not None:
        tests.append(lambda run: run.ranfrom in ranfrom)
    ranfor = _one_of(request, "ranfor", KINDS)
    if ranfor is not None:
        tests.append(lambda run: run.asset.kind in ranfor)
    run_by = request.param("runBy")
    if run_by is not None:
        if not run_by.isdigit():
            raise invalid("runBy must be a person id")
        tests.append(lambda run: run.run_by == int(run_by))
    if workspace.list_scope == "owner":
        tests.append(lambda run: workspace.sees_run(run, person_id))
    return tests


def _page(runs: list, tests: list, *, descending: bool, offset: int, limit: int):
    """(page, number of matching runs) of creation-ordered `runs`; without
    tests a slice, with them a scan."""
    if not tests:
        if descending:
            high = max(len(runs) - offset, 0)
            return runs[max(high - limit, 0) : high][::-1], len(runs)
        return runs[offset : offset + limit], len(runs)
    ordered = reversed(runs) if descending else runs
    matching = [run for run in ordered if all(test(run) for test in tests)]
    return matching[offset : offset + limit], len(matching)


def _lister(plans_only: bool, encode):
    def list_runs(sim, request, caller, params) -> SimResponse:
        limit, offset = paging(request)
        sort = choice(request, "sort", SORTS, "-createdAt")
        gte, lte = _date_filter(request)
        with sim.lock:
            workspace = caller.workspace
            sim.catch_up(workspace)
            now = sim.clock()
            page, count = _page(
                workspace.runs.window(plans_only=plans_only, gte=gte, lte=lte),
                _tests(request, workspace, caller.person_id, now),
                descending=sort.startswith("-"),
                offset=offset,
                limit=limit,
            )
            items = [dumps(encode(workspace.runs, run, now)) for run in page]
        return envelope(items, count if wants_count(request) else None)

    return list_runs


ROUTES = (
    route("GET", r"/v4/planSnapshotRuns", "runs.plan.list", _lister(True, run_json)),
    route("GET", r"/v4/jobLibrary", "jobLibrary.list", _lister(False, job_group_json)),
)
