"""Database aggregates behind the portal's totals and charts: data, not pictures.

Every number is computed by the database (COUNT with FILTER, GROUP BY
workspace); nothing here loops over schedule rows (the upcoming runs are
`schedules.load`'s), so a page costs the same few queries with 10 or 100,000
schedules. The per-workspace summary reads every count the cards, totals and
the task and trigger charts need in one pass (an index-only scan on
PostgreSQL, see the `schedule_summary` index); summing its rows (one per
workspace) is all Python does. Which schedules a user may count is
`workspaces.access.scope`'s to say.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q, QuerySet

from schedules.models import Schedule, TaskKind, TriggerKind

# Enabled schedules whose owner is disabled: they fail whenever they fire.
ENABLED_OWNER_DISABLED = "enabled_owner_disabled"
TOTALS = ("schedules", "enabled", "owner_disabled", ENABLED_OWNER_DISABLED, "next_24h")
# The kind columns the summary counts per value, with their choices.
KIND_COLUMNS = {"task": TaskKind, "trigger": TriggerKind}
DAYS_IN_WEEK = 7


def _count(**conditions) -> Count:
    # Counts a column the covering indexes hold (never null), not the id:
    # PostgreSQL then answers from the index alone.
    return Count("workspace", filter=Q(**conditions) if conditions else None)


@dataclass
class Summary:
    """Counts per workspace: totals, and per task kind and trigger kind.

    `sums`: every count added up over the workspaces, when the caller has
    them (`schedules.summaries` keeps them for every workspace); added up
    here, once, otherwise."""

    by_workspace: dict[int, dict[str, int]]
    sums: dict[str, int] | None = None

    def total(self, key: str) -> int:
        if self.sums is None:
            sums: dict[str, int] = {}
            for counts in self.by_workspace.values():
                for name, n in counts.items():
                    sums[name] = sums.get(name, 0) + n
            self.sums = sums
        return self.sums.get(key, 0)

    @property
    def totals(self) -> dict[str, int]:
        totals = {key: self.total(key) for key in TOTALS}
        totals["disabled"] = totals["schedules"] - totals["enabled"]
        return totals

    def schedules_of(self, workspace_id: int) -> int:
        return self.by_workspace.get(workspace_id, {}).get("schedules", 0)

    def states_of(self, workspace_id: int) -> dict[str, int]:
        """A workspace's schedules by state: enabled, enabled with a disabled
        owner, disabled (they add up to its schedules)."""
        counts = self.by_workspace.get(workspace_id, {})
        enabled, stranded = (
            counts.get("enabled", 0),
            counts.get(ENABLED_OWNER_DISABLED, 0),
        )
        return {
            "enabled": enabled - stranded,
            "owner_disabled": stranded,
            "disabled": counts.get("schedules", 0) - enabled,
        }


def summarise(schedules: QuerySet[Schedule], *, now: datetime) -> Summary:
    """One query, one row per workspace."""
    counts = {
        "schedules": _count(),
        "enabled": _count(enabled=True),
        "owner_disabled": _count(owner_disabled=True),
        ENABLED_OWNER_DISABLED: _count(enabled=True, owner_disabled=True),
        "next_24h": _count(
            enabled=True, next_run_at__gte=now, next_run_at__lt=now + timedelta(1)
        ),
    }
    for key, choices in KIND_COLUMNS.items():
        column = f"{key}_kind"
        counts |= {f"{key}_{kind}": _count(**{column: kind}) for kind in choices.values}
    # Aliases must not shadow the fields the filters name ("enabled").
    rows = (
        schedules.order_by()
        .values_list("workspace_id")
        .annotate(**{f"n_{key}": count for key, count in counts.items()})
    )
    return Summary(
        by_workspace={row[0]: dict(zip(counts, row[1:], strict=True)) for row in rows}
    )


@dataclass(frozen=True)
class OwnerCount:
    email: str
    name: str
    schedules: int


def top_owners(schedules: QuerySet[Schedule], *, limit: int) -> list[OwnerCount]:
    """The owners with the most schedules, by e-mail (the stable key)."""
    rows = (
        schedules.order_by()
        .values("owner_email")
        .annotate(n=_count(), name=Max("owner_name"))
        .order_by("-n", "owner_email")[:limit]
    )
    return [OwnerCount(row["owner_email"], row["name"] or "", row["n"]) for row in rows]


def kind_counts(summary: Summary, key: str) -> dict:
    """Schedules per value of a kind column ("task" or "trigger"), zeros left out."""
    counts = {kind: summary.total(f"{key}_{kind.value}") for kind in KIND_COLUMNS[key]}
    return {kind: n for kind, n in counts.items() if n}
