"""The open findings each evaluation counts (`attention.listing`) equal what
counting every open finding gives, and the pages' counts leave out the muted
ones, as long as their mute lasts."""

from datetime import timedelta

import pytest
import time_machine
from django.db.models import Count

from attention.listing import muted_open, open_unmuted
from attention.models import Finding, OpenCount
from attention.muting import mute
from tests.attention.world import NOW, SCENARIOS, evaluate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def counted_in_full() -> dict:
    rows = (
        Finding.objects.filter(resolved_at__isnull=True)
        .values_list("workspace_id", "rule", "severity")
        .annotate(n=Count("id"))
    )
    return {(ws, rule, severity): n for ws, rule, severity, n in rows}


def recorded() -> dict:
    rows = OpenCount.objects.values_list("workspace_id", "rule", "severity", "n")
    return {(ws, rule, severity): n for ws, rule, severity, n in rows}


def test_each_evaluation_counts_the_findings_it_opens_and_resolves(world):
    for rule in ("owner_disabled", "sync_failing", "never_fires"):
        SCENARIOS[rule][0](world.acme)
    SCENARIOS["owner_disabled"][0](world.globex)
    evaluate(world.acme), evaluate(world.globex)
    assert recorded() == counted_in_full()
    assert len(recorded()) == 4

    SCENARIOS["owner_disabled"][1](world.acme)  # fixed: its finding resolves
    evaluate(world.acme)
    assert recorded() == counted_in_full()
    assert (world.acme.pk, "owner_disabled", "warning") not in recorded()

    evaluate(world.acme)  # nothing changed: nothing written, still equal
    assert recorded() == counted_in_full()


def test_the_pages_counts_leave_out_muted_findings_while_muted(world):
    SCENARIOS["owner_disabled"][0](world.acme)
    SCENARIOS["sync_failing"][0](world.acme)
    evaluate(world.acme)
    finding = Finding.objects.get(rule="owner_disabled")
    mute(
        finding=finding,
        reason="known",
        user=world.alice,
        until=NOW + timedelta(days=1),
        now=NOW,
    )

    def shown(now):
        return open_unmuted(
            OpenCount.objects.all(), Finding.objects.all(), now=now, per=("rule",)
        )

    assert dict(shown(NOW)) == {("sync_failing",): 1}
    later = NOW + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        assert dict(shown(later)) == {("sync_failing",): 1, ("owner_disabled",): 1}


def test_the_muted_open_findings_are_counted_from_their_mutes(world):
    SCENARIOS["owner_disabled"][0](world.acme)
    SCENARIOS["sync_failing"][0](world.acme)
    evaluate(world.acme)
    finding = Finding.objects.get(rule="owner_disabled")
    mute(finding=finding, reason="known", user=world.alice, until=None, now=NOW)

    assert muted_open(Finding.objects.all(), now=NOW) == {(): 1}
    assert muted_open(Finding.objects.filter(rule="sync_failing"), now=NOW) == {(): 0}
    by_rule = muted_open(Finding.objects.all(), now=NOW, per=("rule", "severity"))
    assert by_rule == {("owner_disabled", "warning"): 1}
