"""Enable and disable: the confirmation (what, how many, where, with a reason),
the press that queues it, and the change's page with each schedule's result."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from actions.bulk import create_bulk_change, visible_change_or_404, visible_items
from actions.models import BulkItem, Change
from actions.selection import selection_of, summarise
from workspaces import access
from workspaces.queueing import QueueUnavailable

ITEMS_PER_PAGE = 200


class ReasonForm(forms.Form):
    action = forms.ChoiceField(choices=Change.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        max_length=500,
        help_text="Kept with the change and in the activity log.",
        widget=forms.TextInput(attrs={"size": 60}),
    )


@require_GET
def change_new(request: HttpRequest) -> HttpResponse:
    _operator_or_403(request)
    form = ReasonForm(initial={"action": _action(request.GET.get("action"))})
    return _confirmation(request, request.GET, form)


@require_POST
def change_create(request: HttpRequest) -> HttpResponse:
    _operator_or_403(request)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _confirmation(request, request.POST, form, status=400)
    selection = selection_of(request.user, request.POST)
    try:
        change = create_bulk_change(
            actor=request.user,
            action=Change(form.cleaned_data["action"]),
            schedules=selection.schedules,
            reason=form.cleaned_data["reason"],
            chosen=selection.chosen,
        )
    except QueueUnavailable as exc:
        form.add_error(None, f"Nothing changed: {exc.message}.")
        return _confirmation(request, request.POST, form, status=503)
    return redirect("pages:change", change_id=change.pk)


@require_GET
def change(request: HttpRequest, change_id: int) -> HttpResponse:
    """A change's progress and each schedule's result; the results poll
    themselves while it runs."""
    found = visible_change_or_404(request.user, change_id)
    items = visible_items(request.user, found)
    # The failures first: they are what the admin has to act on.
    ordered = items.order_by(Case(When(status="failed", then=0), default=1), "id")
    page = Paginator(ordered, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    template = "pages/_change_results.html" if request.htmx else "pages/change.html"
    context = {"change": found, "page": page, "counts": _counts(items)}
    return render(request, template, context)


def _confirmation(request, data, form: ReasonForm, *, status: int = 200):
    selection = selection_of(request.user, data)
    action = _action(form["action"].value())
    summary = summarise(
        request.user,
        selection.schedules,
        chosen=selection.chosen,
        enabled=action == Change.ENABLE,
    )
    context = {
        "form": form,
        "summary": summary,
        "hidden": selection.hidden,
        "verb": Change(action).label,
    }
    return render(request, "pages/change_confirm.html", context, status=status)


def _action(value) -> str:
    return value if value in Change.values else Change.DISABLE


def _operator_or_403(request: HttpRequest) -> None:
    if not access.may_operate_any(request.user):
        raise PermissionDenied("Viewers cannot enable or disable schedules")


def _counts(items) -> dict[str, int]:
    counts = {status: 0 for status in BulkItem.Status.values}
    for row in items.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts
