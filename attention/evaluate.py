"""Evaluate a workspace's rules and keep the findings: open, update, resolve.

Run after every sync (`attention.receivers`) and by the beat
(`attention.tasks.evaluate_all_workspaces`), since some rules change with the
clock alone (data growing old, a run that did not happen). A workspace costs
each enabled rule's few queries plus three statements: read its open
findings, insert the new ones (a conflict with an evaluation running at the
same moment is ignored: the database allows one open finding per subject),
resolve the gone ones; changed words are written with one bulk update.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from attention.detectors import DETECTORS
from attention.hits import Hit
from attention.listing import record_open_counts
from attention.models import Finding
from attention.rules import RULES, Rule
from workspaces.models import Workspace

logger = logging.getLogger(__name__)

Key = tuple[str, str]


@dataclass(frozen=True)
class Outcome:
    opened: int
    resolved: int
    still_open: int


def evaluate_workspace(*, workspace: Workspace, now: datetime) -> Outcome:
    """Find what every enabled rule finds in `workspace` now, and record it.

    An inactive workspace is watched by no rule: its findings resolve. So do
    those of a rule switched off in settings.
    """
    found: dict[Key, tuple[Rule, Hit]] = {}
    if workspace.is_active:
        for rule in RULES:
            if not rule.enabled:
                continue
            for hit in DETECTORS[rule.key](workspace, rule, now):
                found[(rule.key, hit.subject_id)] = (rule, hit)
    return _record(workspace, found, now)


def _record(workspace: Workspace, found: dict[Key, tuple[Rule, Hit]], now) -> Outcome:
    open_rows = {
        (finding.rule, finding.subject_id): finding
        for finding in Finding.objects.filter(
            workspace=workspace, resolved_at__isnull=True
        )
    }
    new = [
        _finding(workspace, rule, hit, now)
        for key, (rule, hit) in found.items()
        if key not in open_rows
    ]
    gone = [finding.pk for key, finding in open_rows.items() if key not in found]
    changed = []
    for key, finding in open_rows.items():
        if key in found and _refresh(finding, found[key][1]):
            changed.append(finding)
    with transaction.atomic():
        if new:
            Finding.objects.bulk_create(new, ignore_conflicts=True)
        if gone:
            Finding.objects.filter(pk__in=gone, resolved_at__isnull=True).update(
                resolved_at=now
            )
        if changed:
            Finding.objects.bulk_update(
                changed, ["message", "subject_name", "data", "since"]
            )
        # "Seen" moves with every evaluation, in one statement for all.
        Finding.objects.filter(workspace=workspace, resolved_at__isnull=True).update(
            seen_at=now
        )
        if new or gone:
            record_open_counts(workspace.pk)
    if new or gone:
        logger.info(
            "workspace %s: %s findings opened, %s resolved",
            workspace.pk,
            len(new),
            len(gone),
        )
    return Outcome(opened=len(new), resolved=len(gone), still_open=len(found))


def _finding(workspace: Workspace, rule: Rule, hit: Hit, now: datetime) -> Finding:
    return Finding(
        workspace=workspace,
        rule=rule.key,
        severity=rule.severity,
        subject_kind=rule.subject,
        subject_id=hit.subject_id,
        subject_name=hit.subject_name[:500],
        message=hit.message[:1000],
        data=hit.data,
        since=hit.since or now,
        opened_at=now,
        seen_at=now,
    )


def _refresh(finding: Finding, hit: Hit) -> bool:
    """Take the hit's words into the open finding; whether anything changed.
    `since` only moves back: a finding never becomes younger than it was."""
    before = (finding.message, finding.subject_name, finding.data, finding.since)
    finding.message = hit.message[:1000]
    finding.subject_name = hit.subject_name[:500]
    finding.data = hit.data
    if hit.since is not None and hit.since < finding.since:
        finding.since = hit.since
    return before != (
        finding.message,
        finding.subject_name,
        finding.data,
        finding.since,
    )
