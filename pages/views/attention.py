"""The attention page (every finding the user may see) and its mute buttons."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from attention.models import Finding, OpenCount
from attention.muting import mute, unmute
from pages.attention import build_attention_page
from schedules.listing import workspace_choices
from workspaces import access

MUTE_FOR = [("1", "A day"), ("7", "A week"), ("30", "30 days"), ("", "For good")]


class MuteForm(forms.Form):
    reason = forms.CharField(label="Why", max_length=500, strip=True)
    days = forms.ChoiceField(label="For", choices=MUTE_FOR, required=False)


def attention(request: HttpRequest) -> HttpResponse:
    page = build_attention_page(
        access.scope(Finding.objects.all(), request.user),
        request.GET,
        counts=access.scope(OpenCount.objects.all(), request.user),
        workspaces=workspace_choices(request.user),
        operable=access.operable_ids(request.user),
        now=timezone.now(),
    )
    context = {"page": page, "mute_for": MUTE_FOR}
    return render(request, "pages/attention/attention.html", context)


def _operable_finding(request: HttpRequest, finding_id: int) -> Finding:
    """404 outside the user's workspaces, 403 when they may only look."""
    finding = access.scope(Finding.objects.all(), request.user).filter(pk=finding_id)
    finding = finding.select_related("workspace").first()
    if finding is None:
        raise Http404("No such finding")
    if not access.may_operate(request.user, finding.workspace):
        raise PermissionDenied("Viewers cannot mute findings")
    return finding


@require_POST
def finding_mute(request: HttpRequest, finding_id: int) -> HttpResponse:
    finding = _operable_finding(request, finding_id)
    form = MuteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why it is muted: the reason is required.")
        return redirect(_back(request))
    days = form.cleaned_data["days"]
    now = timezone.now()
    until = now + timedelta(days=int(days)) if days else None
    mute(
        finding=finding,
        reason=form.cleaned_data["reason"],
        user=request.user,
        until=until,
        now=now,
    )
    messages.success(request, f"Muted: {finding.subject_name or finding.rule}.")
    return redirect(_back(request))


@require_POST
def finding_unmute(request: HttpRequest, finding_id: int) -> HttpResponse:
    finding = _operable_finding(request, finding_id)
    unmute(finding=finding)
    messages.success(request, f"Unmuted: {finding.subject_name or finding.rule}.")
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    """Back to the attention page with the filters it had (a relative URL of
    this site only)."""
    back = request.POST.get("back", "")
    return back if back.startswith("/attention/") else "/attention/"
