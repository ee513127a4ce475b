"""Muting a finding: someone decided its rule needs nobody for this subject,
with a reason, until a time or for good. Recorded by whom."""

from datetime import datetime

from attention.models import Finding, Mute


def mute(
    *,
    finding: Finding,
    reason: str,
    user,
    until: datetime | None,
    now: datetime,
) -> Mute:
    """Mute `finding`'s rule for its subject (a second mute replaces the first)."""
    found, _ = Mute.objects.update_or_create(
        workspace_id=finding.workspace_id,
        rule=finding.rule,
        subject_kind=finding.subject_kind,
        subject_id=finding.subject_id,
        defaults={
            "reason": reason,
            "muted_by": user,
            "muted_by_name": user.get_username(),
            "muted_at": now,
            "until": until,
        },
    )
    return found


def unmute(*, finding: Finding) -> int:
    deleted, _ = Mute.objects.filter(
        workspace_id=finding.workspace_id,
        rule=finding.rule,
        subject_kind=finding.subject_kind,
        subject_id=finding.subject_id,
    ).delete()
    return deleted
