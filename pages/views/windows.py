"""Maintenance windows: the list with their state, a new one (a selection or a
filter, with a reason, from T1 to T2), a window's page, cancel and end early.

Beat starts and ends them (`actions.windows`); the buttons only change the
rows and nudge it."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from actions.models import WindowItem
from actions.selection import selection_of, summarise
from actions.windows import (
    WindowRefused,
    cancel_window,
    create_window,
    end_early,
    may_act_on,
    visible_window_or_404,
    visible_windows,
)
from workspaces import access

ITEMS_PER_PAGE = 200
WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class WindowForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"size": 60}))
    starts_at = forms.DateTimeField(label="From (your time)", widget=WHEN)
    ends_at = forms.DateTimeField(label="To (your time)", widget=WHEN)

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            raise forms.ValidationError("The window must end after it starts.")
        return data


@require_GET
def window_list(request: HttpRequest) -> HttpResponse:
    windows = (
        visible_windows(request.user)
        .annotate(
            schedules=Count("items"),
            disabled=Count("items", filter=Q(items__state=WindowItem.State.DISABLED)),
        )
        .order_by("-starts_at", "-id")
    )
    page = Paginator(windows, 50).get_page(request.GET.get("page"))
    context = {"page": page, "can_act": access.may_operate_any(request.user)}
    return render(request, "pages/window_list.html", context)


@require_GET
def window_new(request: HttpRequest) -> HttpResponse:
    _operator_or_403(request)
    return _confirmation(request, request.GET, WindowForm())


@require_POST
def window_create(request: HttpRequest) -> HttpResponse:
    _operator_or_403(request)
    form = WindowForm(request.POST)
    if not form.is_valid():
        return _confirmation(request, request.POST, form, status=400)
    selection = selection_of(request.user, request.POST)
    window = create_window(
        actor=request.user,
        schedules=selection.schedules,
        reason=form.cleaned_data["reason"],
        chosen=selection.chosen,
        starts_at=form.cleaned_data["starts_at"],
        ends_at=form.cleaned_data["ends_at"],
    )
    return redirect("pages:window", window_id=window.pk)


@require_GET
def window(request: HttpRequest, window_id: int) -> HttpResponse:
    found = visible_window_or_404(request.user, window_id)
    items = access.scope(found.items.all(), request.user)
    page = Paginator(items.order_by("id"), ITEMS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    counts = {
        WindowItem.State(row["state"]).label: row["n"]
        for row in items.order_by().values("state").annotate(n=Count("id"))
    }
    context = {
        "window": found,
        "page": page,
        "counts": counts,
        "can_act": may_act_on(request.user, found),
    }
    template = "pages/_window_items.html" if request.htmx else "pages/window.html"
    return render(request, template, context)


@require_POST
def window_cancel(request: HttpRequest, window_id: int) -> HttpResponse:
    return _press(request, window_id, cancel_window, "Cancelled: nothing was touched.")


@require_POST
def window_end(request: HttpRequest, window_id: int) -> HttpResponse:
    return _press(
        request, window_id, end_early, "Ending now: re-enabling what it disabled."
    )


def _press(request, window_id: int, act, done: str) -> HttpResponse:
    found = visible_window_or_404(request.user, window_id)
    if not may_act_on(request.user, found):
        raise PermissionDenied("Only operators of its workspaces change a window")
    try:
        act(actor=request.user, window=found)
    except WindowRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("pages:window", window_id=found.pk)


def _confirmation(request, data, form: WindowForm, *, status: int = 200):
    selection = selection_of(request.user, data)
    summary = summarise(
        request.user, selection.schedules, chosen=selection.chosen, enabled=None
    )
    context = {"form": form, "summary": summary, "hidden": selection.hidden}
    return render(request, "pages/window_new.html", context, status=status)


def _operator_or_403(request: HttpRequest) -> None:
    if not access.may_operate_any(request.user):
        raise PermissionDenied("Viewers cannot pause schedules")
