"""The attention page's view-model: findings grouped by severity and rule,
their counts, filters, and the link that fixes each.

Which findings the user may see is `workspaces.access.scope`'s to say; the
rules' words come from `attention.rules`. A page costs the same few queries
however many findings there are: the open ones' counts are the evaluations'
(`attention.listing.open_unmuted`), then one query per shown group (at most
one per rule), each cut at a few rows.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Value
from django.urls import reverse

from attention.listing import AttentionFilterForm, filtered, muted_open, open_unmuted
from attention.models import Finding, OpenCount, Severity, Subject
from attention.queries import with_mutes
from attention.rules import BY_KEY, RULES, SEVERITY_ORDER, Rule, described
from pages.aac_links import aac_url
from schedules.assets.models import ASSET_MODELS
from schedules.models import Schedule

# Findings shown per group on the full page; a filter to the rule shows all,
# PAGE_SIZE at a time.
PER_GROUP = 8
PAGE_SIZE = 50
DAY = timedelta(hours=24)
ASSET_PAGES = {"plan": "pages:plan", "flow": "pages:flow", "workflow": "pages:workflow"}


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


def build_attention_page(
    findings: QuerySet[Finding],
    data,
    *,
    counts: QuerySet[OpenCount],
    workspaces: list[tuple[int, str]],
    operable: set[int],
    now: datetime,
) -> AttentionPage:
    """`findings` and `counts`: those the user may see. Every group's first
    rows, or with a rule chosen, a page of all of that rule's."""
    form = AttentionFilterForm(data, workspaces=workspaces)
    params = form.params()
    chosen = filtered(findings.select_related("workspace"), params, now=now)
    counts = _counts(findings, counts, params, chosen=chosen, now=now)
    order = "-resolved_at" if params.get("show") == "resolved" else "-since"
    groups = [Group(BY_KEY[key], n) for key, n in counts.items() if key in BY_KEY]
    page = None
    for group in groups:
        rows = _with_mute_words(chosen.filter(rule=group.rule.key), params, now=now)
        rows = rows.order_by(order, "-id")
        if "rule" in params:
            paginator = Paginator(rows, PAGE_SIZE)
            paginator.count = group.count  # counted above: not again
            page = paginator.get_page(data.get("page"))
            rows = page.object_list
        else:
            rows = rows[:PER_GROUP]
        group.findings = described(rows)
    actions_for([f for g in groups for f in g.findings], operable=operable)
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


def _counts(
    findings: QuerySet[Finding],
    counts: QuerySet[OpenCount],
    params: dict,
    *,
    chosen: QuerySet[Finding],
    now: datetime,
) -> dict[str, int]:
    """Findings per rule: the open ones from the evaluations' counts, the muted
    and resolved ones counted (there are few)."""
    if params.get("show", "open") != "open":
        grouped = chosen.order_by().values_list("rule").annotate(n=Count("id"))
        return dict(grouped)
    for key, column in (
        ("workspace", "workspace_id"),
        ("severity", "severity"),
        ("rule", "rule"),
    ):
        if key in params:
            findings = findings.filter(**{column: params[key]})
            counts = counts.filter(**{column: params[key]})
    by_rule = open_unmuted(counts, findings, now=now, per=("rule",))
    return {rule: n for (rule,), n in by_rule.items()}


def _with_mute_words(rows: QuerySet[Finding], params: dict, *, now) -> QuerySet:
    """Who muted each and why: asked of the database only where some may be
    muted (the open view holds none)."""
    if params.get("show", "open") == "open":
        return rows.annotate(muted=Value(False))
    return with_mutes(rows, now=now)


def actions_for(findings: list[Finding], *, operable: set[int]) -> None:
    """Give each finding `actions` (the links that fix it) and `can_operate`;
    the schedules they are about are read in one query."""
    schedules = _schedules_of(findings)
    for finding in findings:
        finding.can_operate = finding.workspace_id in operable
        finding.actions = _actions(finding, schedules)


def _schedules_of(findings: list[Finding]) -> dict[tuple[int, int], tuple[int, str]]:
    """(workspace id, AAC id) → (id, task kind) of the findings' schedules."""
    wanted = [f for f in findings if f.subject_kind == Subject.SCHEDULE]
    if not wanted:
        return {}
    rows = Schedule.objects.filter(
        workspace_id__in={f.workspace_id for f in wanted},
        aac_id__in={int(f.subject_id) for f in wanted},
    ).values_list("workspace_id", "aac_id", "pk", "task_kind")
    return {(ws, aac_id): (pk, kind) for ws, aac_id, pk, kind in rows}


def _schedule_actions(finding: Finding, schedule: tuple[int, str] | None) -> list:
    """The schedule's page; for an operator run now (a plan, flow or workflow)
    and disable, the actions' own confirmations."""
    workspace, aac_id = finding.workspace, finding.subject_id
    actions = [
        Action("Schedule", reverse("pages:schedule", args=[workspace.pk, aac_id]))
    ]
    if finding.can_operate and schedule is not None:
        pk, kind = schedule
        if kind in ASSET_MODELS:
            url = reverse("pages:run_now", args=[workspace.pk, "schedule", aac_id])
            actions.append(Action("Run now…", url))
        disable = f"{reverse('pages:change_new')}?action=disable&s={pk}"
        actions.append(Action("Disable…", disable))
    return actions


def _actions(finding: Finding, schedules: dict) -> list[Action]:
    workspace = finding.workspace
    kind = finding.subject_kind
    if kind == Subject.SCHEDULE:
        key = (workspace.pk, int(finding.subject_id))
        return [
            *_schedule_actions(finding, schedules.get(key)),
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


def today(
    findings: QuerySet[Finding], *, counts: QuerySet[OpenCount], now: datetime
) -> Today:
    """Open, unmuted findings among `findings` by severity and rule (from the
    evaluations' `counts`), and how many opened in the last 24 h (from the
    `finding_open_opened` index)."""
    by_severity: dict[str, int] = {}
    rules = []
    for (rule, severity), n in open_unmuted(counts, findings, now=now).items():
        by_severity[severity] = by_severity.get(severity, 0) + n
        if rule in BY_KEY:
            rules.append((BY_KEY[rule], n))
    rules.sort(key=lambda pair: (SEVERITY_ORDER[pair[0].severity], -pair[1]))
    # Counted along the `finding_open_opened` index, less the muted ones.
    opened = findings.filter(opened_at__gte=now - DAY)
    muted = muted_open(opened, now=now)
    new = opened.filter(resolved_at__isnull=True).count() - sum(muted.values())
    return Today(by_severity, rules, new, reverse("pages:attention"))
