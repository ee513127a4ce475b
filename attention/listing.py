"""The attention page's filters: which findings a view or the API lists, and
how many are open.

One definition for the page (`pages/attention.py`) and the API's findings,
so "open", "muted" and "resolved" mean the same wherever they are asked.
The open ones are counted per workspace, rule and severity by each
evaluation (`record_open_counts`, into `OpenCount`); a page adds those up
and takes away the muted ones (`open_unmuted`), which are few and found
from the mutes: a page never counts every open finding.
"""

from collections import Counter
from datetime import timedelta

from django import forms
from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum

from attention.models import Finding, OpenCount, Severity
from attention.queries import active_mutes, open_findings
from attention.rules import RULES
from schedules.widgets import ManyOptionsSelect
from workspaces.models import Workspace

RESOLVED_DAYS = 7
SHOW = [
    ("open", "Open"),
    ("muted", "Muted"),
    ("resolved", f"Resolved in the last {RESOLVED_DAYS} days"),
]


class AttentionFilterForm(forms.Form):
    """Validates the query string; an invalid value is ignored, never a 500."""

    workspace = forms.TypedChoiceField(
        label="Workspace", required=False, coerce=int, widget=ManyOptionsSelect
    )
    severity = forms.ChoiceField(
        label="Severity", required=False, choices=[("", "Any"), *Severity.choices]
    )
    rule = forms.ChoiceField(
        label="Rule",
        required=False,
        choices=[("", "Any"), *[(rule.key, rule.title) for rule in RULES]],
    )
    show = forms.ChoiceField(label="Show", required=False, choices=SHOW)

    def __init__(self, data, *, workspaces: list[tuple[int, str]]):
        super().__init__(data)
        self.fields["workspace"].choices = [("", "All"), *workspaces]

    def params(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


def filtered(findings: QuerySet[Finding], params: dict, *, now) -> QuerySet[Finding]:
    show = params.get("show", "open")
    if show == "resolved":
        findings = findings.filter(resolved_at__gte=now - timedelta(days=RESOLVED_DAYS))
    else:
        findings = open_findings(findings, now=now, muted=show == "muted")
    if "workspace" in params:
        findings = findings.filter(workspace_id=params["workspace"])
    if "severity" in params:
        findings = findings.filter(severity=params["severity"])
    if "rule" in params:
        findings = findings.filter(rule=params["rule"])
    return findings


def record_open_counts(workspace_id: int) -> None:
    """Count the workspace's open findings into its `OpenCount` rows: inside
    the transaction that changed them. The workspace's row is locked first,
    so an evaluation of the same workspace at the same moment counts after
    this one commits."""
    list(Workspace.objects.select_for_update().filter(pk=workspace_id).values("pk"))
    grouped = (
        Finding.objects.filter(workspace_id=workspace_id, resolved_at__isnull=True)
        .order_by()
        .values_list("rule", "severity")
        .annotate(n=Count("id"))
    )
    OpenCount.objects.filter(workspace_id=workspace_id).delete()
    OpenCount.objects.bulk_create(
        OpenCount(workspace_id=workspace_id, rule=rule, severity=severity, n=n)
        for rule, severity, n in grouped
    )


def open_unmuted(
    counts: QuerySet[OpenCount],
    findings: QuerySet[Finding],
    *,
    now,
    per: tuple[str, ...] = ("rule", "severity"),
) -> Counter[tuple]:
    """Open, unmuted findings per value of the `per` fields (of "workspace_id",
    "rule", "severity"): the `counts` added up, less the open `findings`
    under an active mute. Pass both scoped and filtered alike (to the
    viewer's workspaces, one workspace, a severity)."""
    found: Counter[tuple] = Counter(
        {
            tuple(key): n
            for *key, n in counts.order_by().values_list(*per).annotate(n=Sum("n"))
        }
    )
    for key, n in muted_open(findings, now=now, per=per).items():
        found[key] -= n
    return +found


def muted_open(
    findings: QuerySet[Finding], *, now, per: tuple[str, ...] = ()
) -> Counter[tuple]:
    """The open ones of `findings` under an active mute, per value of the
    `per` fields (as `open_unmuted`). Found from the mutes (few) to their
    open finding (one at most, by the `finding_one_open_per_subject` index),
    not from every open finding."""
    muted_finding = findings.filter(
        resolved_at__isnull=True,
        workspace=OuterRef("workspace"),
        rule=OuterRef("rule"),
        subject_kind=OuterRef("subject_kind"),
        subject_id=OuterRef("subject_id"),
    )
    muted = (
        active_mutes(now)
        .annotate(severity=Subquery(muted_finding.values("severity")[:1]))
        .filter(severity__isnull=False)
        .order_by()
    )
    if not per:
        return Counter({(): muted.count()})
    grouped = muted.values_list(*per).annotate(n=Count("id"))
    return Counter({tuple(key): n for *key, n in grouped})
