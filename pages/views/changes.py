"""Enable and disable: the confirmation (what, how many, where, with a reason),
the press that queues it, and the change's page with each schedule's result."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from actions.bulk import create_bulk_change
from actions.models import BulkChange, BulkItem, Change
from actions.selection import summarise
from pages.selection import selection_of
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
    found = _visible_change(request, change_id)
    items = _visible_items(request, found)
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


def _visible_change(request: HttpRequest, change_id: int) -> BulkChange:
    """A change is visible to whoever asked for it and to anyone who sees one
    of its workspaces."""
    found = BulkChange.objects.filter(pk=change_id).first()
    if found is None:
        raise Http404("No such change")
    mine = found.requested_by_id == request.user.pk
    if not mine and not _visible_items(request, found).exists():
        raise Http404("No such change")
    return found


def _visible_items(request: HttpRequest, found: BulkChange):
    return access.scope(found.items.all(), request.user)


def _counts(items) -> dict[str, int]:
    counts = {status: 0 for status in BulkItem.Status.values}
    for row in items.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts
