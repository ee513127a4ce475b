"""The schedules a bulk action or a window is about, read from a request.

Either rows ticked in the schedules table (`s`, ids, across workspaces) or,
with `all`, everything the table's filter shows for the same parameters. The
confirmation page carries the same parameters on to its POST, so what is
queued is what was summarised.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import QueryDict

from actions.selection import MAX_TICKED, ticked
from pages.tables import ScheduleFilterForm, filter_schedules, workspace_choices
from schedules.assets.models import ASSET_MODELS
from schedules.models import Schedule
from workspaces import access


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


def row_actions(user) -> dict:
    """What the schedules table needs to offer its actions: the tick boxes for
    operators, and "Run now" on rows of workspaces they operate whose task
    AAC's API can start (docs/aac-api.md, Plans flows workflows and their
    runs)."""
    operable = access.operable_ids(user)
    return {
        "can_act": bool(operable),
        "operable_ids": operable,
        "runnable": tuple(ASSET_MODELS),
    }
