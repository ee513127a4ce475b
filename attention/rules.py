"""The rules: what each one means, what to do about it, and its settings.

One place for a rule's words and thresholds; the detectors (`attention.
detectors`) find its subjects and the pages, the digest and the metrics show
them. AAC_ATTENTION_RULES (JSON in the environment) switches a rule off or
changes a threshold: `{"frequent_schedule": {"minutes": 1}, "duplicate_schedule":
{"enabled": false}}`. docs/attention.md lists them.
"""

from dataclasses import dataclass, field

from django.conf import settings

from attention.models import Severity, Subject


@dataclass(frozen=True)
class Rule:
    key: str
    title: str
    severity: str
    subject: str
    explanation: str
    todo: str
    defaults: dict = field(default_factory=dict)

    @property
    def settings(self) -> dict:
        """Its defaults, overridden by AAC_ATTENTION_RULES."""
        return {
            "enabled": True,
            **self.defaults,
            **settings.AAC_ATTENTION_RULES.get(self.key, {}),
        }

    @property
    def severity_label(self) -> str:
        return Severity(self.severity).label

    @property
    def enabled(self) -> bool:
        return bool(self.settings["enabled"])

    def __getitem__(self, name: str):
        return self.settings[name]


RULES = (
    Rule(
        "sync_failing",
        "Sync failing",
        Severity.CRITICAL,
        Subject.WORKSPACE,
        "The portal cannot read this workspace from AAC: what it shows is as of the "
        "last sync that worked.",
        "Read the error; a token problem is fixed on the connections page, an AAC "
        "outage passes by itself.",
    ),
    Rule(
        "needs_reauth",
        "Connection needs re-authorisation",
        Severity.CRITICAL,
        Subject.CONNECTION,
        "AAC refused this connection's refresh token: it reads nothing until a new "
        "token pair is pasted.",
        "Generate a new pair in AAC (User Preferences, OAuth 2.0 API Tokens) and "
        "paste it on the connections page.",
    ),
    Rule(
        "failing_schedule",
        "Schedule failing",
        Severity.CRITICAL,
        Subject.SCHEDULE,
        "The last runs this schedule started all failed.",
        "Open the last run's error in AAC; fix the plan, flow or workflow, or "
        "disable the schedule until it is fixed.",
        {"runs": 2},
    ),
    Rule(
        "stale_data",
        "Data out of date",
        Severity.WARNING,
        Subject.WORKSPACE,
        "No sync of this workspace worked for more than two sync intervals: its "
        "schedules and runs may have changed since.",
        "Check the workspace's last syncs and that the worker and beat run "
        "(the health page).",
        {"intervals": 2},
    ),
    Rule(
        "missed_run",
        "Schedule did not run",
        Severity.WARNING,
        Subject.SCHEDULE,
        "By its trigger this schedule should have started a run, and the run "
        "history holds none since.",
        "Look at the schedule in AAC: its owner, its target and AAC's scheduler.",
        {"grace_minutes": 30, "lookback_hours": 24},
    ),
    Rule(
        "owner_disabled",
        "Owner disabled",
        Severity.WARNING,
        Subject.SCHEDULE,
        "The schedule is enabled but its owner is disabled in AAC: it keeps "
        "running, and nobody else can change or disable it.",
        "Re-enable the owner in AAC long enough to hand the schedule to someone "
        "active (or disable it), then disable the owner again.",
    ),
    Rule(
        "never_fires",
        "Never fires again",
        Severity.WARNING,
        Subject.SCHEDULE,
        "The schedule is enabled but its trigger has no run left: its end date or "
        "its one time passed.",
        "Disable or delete it in AAC, or give it a new end date.",
    ),
    Rule(
        "token_expiring",
        "Refresh token expiring",
        Severity.WARNING,
        Subject.CONNECTION,
        "The connection's refresh token reaches the end of the lifetime chosen "
        "in AAC soon; after that the connection reads nothing.",
        "Generate a new pair in AAC and paste it on the connections page before "
        "it expires (AAC_REFRESH_TOKEN_WARNING_DAYS ahead).",
    ),
    Rule(
        "long_run",
        "Run far longer than usual",
        Severity.WARNING,
        Subject.RUN,
        "This run took (or has been running) several times as long as the "
        "asset's usual run.",
        "Look at the run in AAC: data volume, a stuck step, a slow source.",
        {"factor": 3, "min_minutes": 10, "min_samples": 3, "lookback_hours": 24},
    ),
    Rule(
        "frequent_schedule",
        "Very frequent schedule",
        Severity.INFO,
        Subject.SCHEDULE,
        "The schedule fires every few minutes: it loads AAC and fills the run history.",
        "Check that it needs to run that often; a file or table watcher may fit "
        "better.",
        {"minutes": 5},
    ),
    Rule(
        "duplicate_schedule",
        "Duplicate schedule",
        Severity.INFO,
        Subject.SCHEDULE,
        "Another enabled schedule of this workspace runs the same asset on the "
        "same trigger: the asset runs twice.",
        "Keep one and disable the others.",
    ),
    Rule(
        "partial_coverage",
        "Incomplete coverage",
        Severity.INFO,
        Subject.WORKSPACE,
        "AAC lists each token user's own schedules: the portal sees only the "
        "schedules of the people with a working connection.",
        "Connect the missing people's AAC accounts, or one whose token lists "
        "every owner's schedules.",
    ),
    Rule(
        "not_understood",
        "Parts not understood",
        Severity.INFO,
        Subject.WORKSPACE,
        "The last sync stored items with parts the portal could not read (each "
        "item's note says which); their next runs or kinds may be missing.",
        "Look at the notes on the schedules table; tell the portal's maintainers "
        "if AAC sent something new.",
    ),
)

BY_KEY = {rule.key: rule for rule in RULES}
SEVERITY_ORDER = {severity: i for i, severity in enumerate(Severity.values)}


def described(findings):
    """The findings, each given `about`: its rule (words, severity, what to do)."""
    findings = list(findings)
    for finding in findings:
        finding.about = BY_KEY.get(finding.rule)
    return findings
