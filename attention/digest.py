"""The daily digest e-mail: what needs attention in the workspaces a user sees.

A user opts in on the preferences page and picks a local hour. The beat asks
every quarter hour (`send_due_digests`); a digest is due once the user's local
hour has come and none was claimed for their local date. It is claimed by
inserting its `Digest` row (one per user and day: the database refuses a
second), then composed and sent: two beats or a retried task send it once.
A send that fails gives the claim back, so the next tick tries again. With
nothing to say nothing is sent (AAC_DIGEST_SEND_EMPTY sends it anyway).
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse

from attention.models import Digest, Finding
from attention.queries import open_findings
from attention.rules import BY_KEY, RULES, SEVERITY_ORDER, Rule, described
from attention.unsubscribe import unsubscribe_token
from lib.zones import zone
from schedules.assets.models import Run, RunStatus
from workspaces import access

logger = logging.getLogger(__name__)

PERIOD = timedelta(hours=24)
# New findings named per rule; the rest of the rule's are counted.
EXAMPLES = 3
CONNECTION_RULES = ("needs_reauth", "token_expiring")


@dataclass
class Group:
    """A rule's new findings: how many, and the first few."""

    rule: Rule
    count: int
    examples: list[Finding]

    @property
    def more(self) -> int:
        return self.count - len(self.examples)


@dataclass
class Content:
    since: datetime
    new: list[Group] = field(default_factory=list)
    syncs_failing: list[Finding] = field(default_factory=list)
    tokens: list[Finding] = field(default_factory=list)
    # (workspace name, failed runs in the last 24 h), the most first.
    failed_runs: list[tuple[str, int]] = field(default_factory=list)

    @property
    def new_count(self) -> int:
        return sum(group.count for group in self.new)

    @property
    def failed_total(self) -> int:
        return sum(n for _, n in self.failed_runs)

    @property
    def empty(self) -> bool:
        return not (self.new or self.syncs_failing or self.tokens or self.failed_runs)


def compose(*, user, since: datetime, now: datetime) -> Content:
    """What the digest of `user` says: findings opened since `since` and still
    open (unmuted), failed syncs and tokens, runs failed in the last 24 h."""
    findings = open_findings(
        access.scope(Finding.objects.select_related("workspace"), user), now=now
    )
    new = findings.filter(opened_at__gte=since)
    counts = new.order_by().values_list("rule").annotate(n=Count("pk"))
    groups = [
        Group(
            BY_KEY[rule],
            n,
            list(new.filter(rule=rule).order_by("-opened_at", "-pk")[:EXAMPLES]),
        )
        for rule, n in counts
        if rule in BY_KEY
    ]
    groups.sort(key=lambda g: (SEVERITY_ORDER[g.rule.severity], RULES.index(g.rule)))
    failed = (
        access.scope(Run.objects.all(), user)
        .filter(status=RunStatus.FAILED, aac_created_at__gte=now - PERIOD)
        .order_by()
        .values_list("workspace__name")
        .annotate(n=Count("pk"))
    )
    return Content(
        since=since,
        new=groups,
        syncs_failing=described(findings.filter(rule="sync_failing")),
        tokens=described(findings.filter(rule__in=CONNECTION_RULES)),
        failed_runs=sorted(failed, key=lambda row: -row[1]),
    )


def render(*, user, content: Content, now: datetime) -> EmailMultiAlternatives:
    """The e-mail: a plain-text part and an HTML one (inline styles, no
    scripts), with a one-click unsubscribe header (RFC 8058)."""
    base = settings.AAC_PORTAL_URL.rstrip("/")
    unsubscribe = base + reverse(
        "digest_unsubscribe", args=[unsubscribe_token(user.pk)]
    )
    context = {
        "user": user,
        "content": content,
        "attention_url": base + reverse("pages:attention"),
        "preferences_url": base + reverse("preferences"),
        "unsubscribe_url": unsubscribe,
        "now": now,
    }
    subject = render_to_string("emails/digest_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/digest.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_to_string("emails/digest.html", context), "text/html"
    )
    return message


def local_day(user_timezone: str, now: datetime) -> datetime:
    """`now` on the user's clock (the server's TIME_ZONE when theirs is unknown)."""
    tz = zone(user_timezone) or zone(settings.TIME_ZONE)
    return now.astimezone(tz)


def due_users(*, now: datetime) -> list[tuple[object, date]]:
    """Opted-in users with an e-mail whose local hour has come and whose
    digest of their local date was not claimed yet, with that date."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, profile__digest=True)
        .exclude(email="")
        .select_related("profile")
    )
    claimed = set(
        Digest.objects.filter(day__gte=(now - timedelta(days=2)).date()).values_list(
            "user_id", "day"
        )
    )
    due = []
    for user in users:
        local = local_day(user.profile.timezone, now)
        if local.hour >= user.profile.digest_hour and (
            (user.pk, local.date()) not in claimed
        ):
            due.append((user, local.date()))
    return due


def send_due_digests(*, now: datetime) -> int:
    """Send every due digest; how many were sent."""
    return sum(
        send_digest(user=user, day=day, now=now) for user, day in due_users(now=now)
    )


def send_digest(*, user, day: date, now: datetime) -> bool:
    """Claim, compose and send `user`'s digest of `day`; whether one went out."""
    previous = (
        Digest.objects.filter(user=user)
        .exclude(status=Digest.Status.CLAIMED)
        .order_by("-claimed_at")
        .values_list("claimed_at", flat=True)
        .first()
    )
    try:
        with transaction.atomic():
            claim = Digest.objects.create(user=user, day=day, claimed_at=now)
    except IntegrityError:
        logger.info("digest of %s for user %s: already claimed", day, user.pk)
        return False
    try:
        content = compose(user=user, since=previous or now - PERIOD, now=now)
        if content.empty and not settings.AAC_DIGEST_SEND_EMPTY:
            Digest.objects.filter(pk=claim.pk).update(status=Digest.Status.EMPTY)
            return False
        render(user=user, content=content, now=now).send()
    except Exception:
        # Given back: the next tick tries again.
        claim.delete()
        logger.exception("digest of %s for user %s: sending failed", day, user.pk)
        return False
    Digest.objects.filter(pk=claim.pk).update(
        status=Digest.Status.SENT, sent_at=now, findings=content.new_count
    )
    logger.info("digest of %s sent to user %s", day, user.pk)
    return True
