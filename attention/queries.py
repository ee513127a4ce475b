"""Findings for the pages, the digest and the metrics: data, never URLs.

Which findings a user may see is `workspaces.access.scope`'s to say; the
callers pass the scoped queryset in. "Muted" is a mute of the same rule and
subject that has not ended, worked out by the database (`EXISTS`).
"""

from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from attention.models import Finding, Mute


def active_mutes(now: datetime) -> QuerySet[Mute]:
    return Mute.objects.filter(Q(until__isnull=True) | Q(until__gt=now))


def with_mutes(findings: QuerySet[Finding], *, now: datetime) -> QuerySet[Finding]:
    """`findings`, each annotated `muted`."""
    mute = active_mutes(now).filter(
        workspace=OuterRef("workspace"),
        rule=OuterRef("rule"),
        subject_kind=OuterRef("subject_kind"),
        subject_id=OuterRef("subject_id"),
    )
    return findings.annotate(muted=Exists(mute))


def open_findings(
    findings: QuerySet[Finding], *, now: datetime, muted: bool | None = False
) -> QuerySet[Finding]:
    """The open ones of `findings`; unmuted ones (default), muted ones, or both
    (`muted=None`)."""
    found = with_mutes(findings.filter(resolved_at__isnull=True), now=now)
    return found if muted is None else found.filter(muted=muted)


def counts_by_rule(findings: QuerySet[Finding]) -> dict[str, int]:
    """Findings per rule (one GROUP BY)."""
    rows = findings.order_by().values("rule").annotate(n=Count("id"))
    return {row["rule"]: row["n"] for row in rows}
