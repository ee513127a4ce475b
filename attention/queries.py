"""Findings for the pages, the digest and the metrics: data, never URLs.

Which findings a user may see is `workspaces.access.scope`'s to say; the
callers pass the scoped queryset in. "Muted" is a mute of the same rule and
subject that has not ended, worked out by the database (`EXISTS`).
"""

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from attention.models import Finding, Mute


def active_mutes(now: datetime) -> QuerySet[Mute]:
    return Mute.objects.filter(Q(until__isnull=True) | Q(until__gt=now))


def _mutes_of(now: datetime) -> QuerySet[Mute]:
    return active_mutes(now).filter(
        workspace=OuterRef("workspace"),
        rule=OuterRef("rule"),
        subject_kind=OuterRef("subject_kind"),
        subject_id=OuterRef("subject_id"),
    )


def _mute_of(now: datetime) -> Exists:
    return Exists(_mutes_of(now))


def with_mutes(findings: QuerySet[Finding], *, now: datetime) -> QuerySet[Finding]:
    """`findings`, each annotated `muted` and, when muted, `muted_by`,
    `mute_reason` and `muted_until`."""
    mute = _mutes_of(now)
    return findings.annotate(
        muted=_mute_of(now),
        muted_by=Subquery(mute.values("muted_by_name")[:1]),
        mute_reason=Subquery(mute.values("reason")[:1]),
        muted_until=Subquery(mute.values("until")[:1]),
    )


def open_findings(
    findings: QuerySet[Finding], *, now: datetime, muted: bool | None = False
) -> QuerySet[Finding]:
    """The open ones of `findings`: unmuted ones (default), muted ones, or both
    (`muted=None`). Filtered by the EXISTS itself, not an annotation, so a
    GROUP BY over the result stays valid SQL; `with_mutes` annotates rows."""
    found = findings.filter(resolved_at__isnull=True)
    if muted is None:
        return found
    return found.filter(_mute_of(now) if muted else ~_mute_of(now))
