"""The attention page's view-model: findings grouped by severity and rule,
their counts, filters, and the link that fixes each.

Which findings the user may see is `workspaces.access.scope`'s to say; the
rules' words come from `attention.rules`. A page costs the same few queries
however many findings there are: one GROUP BY for the counts, then one query
per shown group (at most one per rule), each cut at a few rows.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from attention.models import Finding, Severity, Subject
from attention.queries import open_findings, with_mutes
from attention.rules import BY_KEY, RULES, SEVERITY_ORDER, Rule, described
from pages.aac_links import aac_url
from pages.widgets import ManyOptionsSelect

# Findings shown per group on the full page; a filter to the rule shows all,
# PAGE_SIZE at a time.
PER_GROUP = 8
PAGE_SIZE = 50
RESOLVED_DAYS = 7
DAY = timedelta(hours=24)
SHOW = [
    ("open", "Open"),
    ("muted", "Muted"),
    ("resolved", f"Resolved in the last {RESOLVED_DAYS} days"),
]
ASSET_PAGES = {"plan": "pages:plan", "flow": "pages:flow", "workflow": "pages:workflow"}


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


@dataclass(frozen=True)
class Action:
    label: str
    url: str
    # Opens AAC's own UI (in a new tab).
    external: bool = False


@dataclass
class Group:
    rule: Rule
    count: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.findings)

    @property
    def url(self) -> str:
        return f"{reverse('pages:attention')}?rule={self.rule.key}"


@dataclass
class Section:
    severity: str
    label: str
    groups: list[Group]

    @property
    def count(self) -> int:
        return sum(group.count for group in self.groups)


@dataclass
class AttentionPage:
    form: AttentionFilterForm
    sections: list[Section]
    total: int
    page: object = None


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


def build_attention_page(
    findings: QuerySet[Finding],
    data,
    *,
    workspaces: list[tuple[int, str]],
    operable: set[int],
    now: datetime,
) -> AttentionPage:
    """`findings`: those the user may see. Every group's first rows, or with a
    rule chosen, a page of all of that rule's."""
    form = AttentionFilterForm(data, workspaces=workspaces)
    params = form.params()
    chosen = filtered(findings.select_related("workspace"), params, now=now)
    counts = {
        row["rule"]: row["n"]
        for row in chosen.order_by().values("rule").annotate(n=Count("id"))
    }
    order = "-resolved_at" if params.get("show") == "resolved" else "-since"
    groups = [Group(BY_KEY[key], n) for key, n in counts.items() if key in BY_KEY]
    page = None
    for group in groups:
        rows = with_mutes(chosen.filter(rule=group.rule.key), now=now)
        rows = rows.order_by(order, "-id")
        if "rule" in params:
            page = Paginator(rows, PAGE_SIZE).get_page(data.get("page"))
            rows = page.object_list
        else:
            rows = rows[:PER_GROUP]
        group.findings = actions_for(described(rows), operable=operable)
    sections = [
        Section(
            severity,
            label,
            sorted(
                (g for g in groups if g.rule.severity == severity),
                key=lambda g: RULES.index(g.rule),
            ),
        )
        for severity, label in Severity.choices
    ]
    sections = [section for section in sections if section.groups]
    return AttentionPage(form, sections, sum(counts.values()), page)


def actions_for(findings: list[Finding], *, operable: set[int]) -> list[Finding]:
    """Give each finding `actions` (the links that fix it) and `can_operate`."""
    for finding in findings:
        finding.can_operate = finding.workspace_id in operable
        finding.actions = _actions(finding)
    return findings


def _actions(finding: Finding) -> list[Action]:
    workspace = finding.workspace
    kind = finding.subject_kind
    if kind == Subject.SCHEDULE:
        page = reverse("pages:schedule", args=[workspace.pk, finding.subject_id])
        label = "Disable or run now" if finding.can_operate else "Schedule"
        return [
            Action(label, page),
            Action(
                "Open in AAC", aac_url(workspace, "schedule", finding.subject_id), True
            ),
        ]
    if kind == Subject.RUN:
        actions = [
            Action(
                "Open run in AAC", aac_url(workspace, "run", finding.subject_id), True
            )
        ]
        asset_page = ASSET_PAGES.get(finding.data.get("asset_kind", ""))
        if asset_page:
            actions.append(
                Action(
                    "Its asset",
                    reverse(
                        asset_page, args=[workspace.pk, finding.data["asset_aac_id"]]
                    ),
                )
            )
        return actions
    connections = reverse("pages:connections", args=[workspace.pk])
    if kind == Subject.CONNECTION:
        return [
            Action("Reconnect" if finding.can_operate else "Connections", connections)
        ]
    if finding.rule == "partial_coverage":
        return [Action("Connect an account", connections)]
    if finding.rule == "not_understood":
        return [
            Action(
                "Schedules with notes",
                f"{reverse('pages:schedules')}?workspace={workspace.pk}",
            )
        ]
    return [
        Action("Workspace and its syncs", workspace.get_absolute_url()),
        Action("Connections", connections),
    ]


@dataclass(frozen=True)
class Today:
    """The dashboard's first row: what needs the user today."""

    by_severity: dict[str, int]
    # (rule, count), the most severe first.
    rules: list[tuple[Rule, int]]
    new: int
    url: str

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())

    @property
    def worst(self) -> str:
        return next((s for s in Severity.values if self.by_severity.get(s)), "")


def today(findings: QuerySet[Finding], *, now: datetime) -> Today:
    """Open, unmuted findings among `findings` by severity and rule, and how
    many opened in the last 24 h (one GROUP BY)."""
    rows = (
        open_findings(findings, now=now)
        .order_by()
        .values("rule", "severity")
        .annotate(n=Count("id"), new=Count("id", filter=Q(opened_at__gte=now - DAY)))
    )
    by_severity: dict[str, int] = {}
    rules, new = [], 0
    for row in rows:
        by_severity[row["severity"]] = by_severity.get(row["severity"], 0) + row["n"]
        new += row["new"]
        if row["rule"] in BY_KEY:
            rules.append((BY_KEY[row["rule"]], row["n"]))
    rules.sort(key=lambda pair: (SEVERITY_ORDER[pair[0].severity], -pair[1]))
    return Today(by_severity, rules, new, reverse("pages:attention"))
