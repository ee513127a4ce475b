"""The attention page's filters: which findings a view or the API lists.

One definition for the page (`pages/attention.py`) and the API's findings,
so "open", "muted" and "resolved" mean the same wherever they are asked.
"""

from datetime import timedelta

from django import forms
from django.db.models import QuerySet

from attention.models import Finding, Severity
from attention.queries import open_findings
from attention.rules import RULES

RESOLVED_DAYS = 7
SHOW = [
    ("open", "Open"),
    ("muted", "Muted"),
    ("resolved", f"Resolved in the last {RESOLVED_DAYS} days"),
]


class AttentionFilterForm(forms.Form):
    """Validates the query string; an invalid value is ignored, never a 500."""

    workspace = forms.TypedChoiceField(label="Workspace", required=False, coerce=int)
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
