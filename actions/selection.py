"""Which schedules an action covers, and what the confirmation says about them.

A selection is either rows ticked in the schedules table (by id, across
workspaces: `s`) or, with `all`, everything a filter of that table shows for
the same parameters (`selection_of`; the confirmation page carries them on to
its POST, so what is queued is what was summarised, and the API sends them).
Only the schedules of workspaces the user operates are acted on; the summary
counts the rest, and how many have no connection of their owner (AAC lets
only the owner change a schedule: docs/aac-api.md, Schedules), so the
confirmation says how many will fail before anyone presses.
"""

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.http import QueryDict

from schedules.listing import ScheduleFilterForm, filter_schedules, workspace_choices
from schedules.models import Schedule
from workspaces import access
from workspaces.models import Connection

# More than this many rows ticked is not a selection any page can make.
MAX_TICKED = 1000


@dataclass
class WorkspaceCount:
    name: str
    count: int
    without_owner: int = 0


@dataclass
class Summary:
    """What the confirmation shows before an action is queued."""

    total: int
    chosen: str
    workspaces: list[WorkspaceCount] = field(default_factory=list)
    view_only: int = 0
    already: int = 0
    without_owner: int = 0


def ticked(user, ids: list[int]) -> QuerySet[Schedule]:
    """The ticked rows the user may see."""
    return access.scope(Schedule.objects.filter(pk__in=ids[:MAX_TICKED]), user)


def summarise(
    user, schedules: QuerySet[Schedule], *, chosen: str, enabled: bool | None
) -> Summary:
    """How many of `schedules` an action would act on, and where.

    `enabled` is the state the action leaves them in (None: a window, which
    disables the enabled ones and leaves the rest alone).
    """
    operable = access.scope(schedules, user, operable=True)
    per_workspace = (
        operable.values("workspace_id", "workspace__name")
        .annotate(n=Count("id"))
        .order_by("workspace__name")
    )
    counts = {
        row["workspace_id"]: WorkspaceCount(row["workspace__name"], row["n"])
        for row in per_workspace
    }
    for workspace_id, n in _without_owner_connection(operable).items():
        counts[workspace_id].without_owner = n
    total = sum(c.count for c in counts.values())
    want = False if enabled is None else enabled
    return Summary(
        total=total,
        chosen=chosen,
        workspaces=list(counts.values()),
        view_only=schedules.count() - total,
        already=operable.filter(enabled=want).count(),
        without_owner=sum(c.without_owner for c in counts.values()),
    )


def operable(user, schedules: QuerySet[Schedule]) -> QuerySet[Schedule]:
    return access.scope(schedules, user, operable=True).select_related("workspace")


def _without_owner_connection(schedules: QuerySet[Schedule]) -> dict[int, int]:
    """Per workspace, the schedules whose owner has no connection that may act."""
    usable = Connection.objects.exclude(state=Connection.State.NEEDS_REAUTH)
    owners = usable.values_list("workspace_id", "aac_person_id")
    have = {(ws, person) for ws, person in owners if person}
    counts: dict[int, int] = {}
    rows = (
        schedules.order_by().values("workspace_id", "owner_id").annotate(n=Count("id"))
    )
    for row in rows:
        if (row["workspace_id"], row["owner_id"]) not in have:
            counts[row["workspace_id"]] = counts.get(row["workspace_id"], 0) + row["n"]
    return counts


@dataclass
class Selection:
    schedules: QuerySet[Schedule]
    chosen: str  # in words, for the summary and the records
    hidden: list[tuple[str, str]]  # the parameters to carry on


def selection_of(user, data: QueryDict) -> Selection:
    if data.get("all"):
        form = ScheduleFilterForm(data, workspaces=workspace_choices(user))
        params = {k: v for k, v in form.params().items() if k != "sort"}
        schedules = filter_schedules(access.scope(Schedule.objects.all(), user), params)
        labels = {name: str(form.fields[name].label) for name in params}
        words = ", ".join(
            f"{labels[k]}: {_shown(form, k, v)}" for k, v in params.items()
        )
        chosen = f"everything the filter shows ({words or 'no filter'})"
        hidden = [("all", "1"), *((k, str(v)) for k, v in params.items())]
        return Selection(schedules, chosen, hidden)
    ids = [int(v) for v in data.getlist("s") if v.isascii() and v.isdigit()]
    ids = ids[:MAX_TICKED]
    schedules = ticked(user, ids)
    return Selection(
        schedules,
        f"{len(ids)} ticked row{'s' * (len(ids) != 1)}",
        [("s", str(i)) for i in ids],
    )


def _shown(form: ScheduleFilterForm, name: str, value) -> str:
    field = form.fields[name]
    choices = dict(getattr(field, "choices", ()))
    return str(choices.get(value, value))
