"""One detector per rule: `DETECTORS[rule.key](workspace, rule, now)` → hits.

Each asks the database a few set-based questions about one workspace (a
filter, a GROUP BY, a window or a subquery); Python only words what comes
back, or, where a trigger's clock is needed, works on the few rows the query
left (docs/attention.md, "Cost").
"""

from attention.detectors import runs, schedules, workspaces

DETECTORS = {
    "owner_disabled": schedules.owner_disabled,
    "never_fires": schedules.never_fires,
    "frequent_schedule": schedules.frequent_schedule,
    "duplicate_schedule": schedules.duplicate_schedule,
    "missed_run": runs.missed_run,
    "failing_schedule": runs.failing_schedule,
    "long_run": runs.long_run,
    "sync_failing": workspaces.sync_failing,
    "stale_data": workspaces.stale_data,
    "needs_reauth": workspaces.needs_reauth,
    "token_expiring": workspaces.token_expiring,
    "partial_coverage": workspaces.partial_coverage,
    "not_understood": workspaces.not_understood,
}
