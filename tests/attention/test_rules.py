"""Every rule opens a finding, resolves it when the cause goes, and can be muted.

One arrangement per rule (`tests/attention/world.py`); the clock is frozen at
NOW so the runs, syncs and tokens it makes sit where the rule looks.
"""

import pytest
import time_machine

from attention.models import Finding
from attention.muting import mute
from attention.queries import open_findings as open_unmuted
from attention.rules import BY_KEY, RULES
from tests.attention.world import NOW, SCENARIOS, evaluate, open_findings
from tests.factories import make_user, make_workspace

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_every_rule_has_a_scenario():
    assert set(SCENARIOS) == {rule.key for rule in RULES}


@pytest.mark.parametrize("rule", sorted(SCENARIOS))
def test_it_opens_a_finding_with_the_rules_words(rule):
    workspace = make_workspace("Acme EU")
    subject = SCENARIOS[rule][0](workspace)

    evaluate(workspace)

    found = open_findings(workspace, rule)
    assert [f.subject_id for f in found if f.subject_id == subject] == [subject]
    finding = next(f for f in found if f.subject_id == subject)
    assert finding.severity == BY_KEY[rule].severity
    assert finding.subject_kind == BY_KEY[rule].subject
    assert finding.opened_at == NOW
    assert finding.message


@pytest.mark.parametrize("rule", sorted(SCENARIOS))
def test_it_resolves_the_finding_when_the_cause_goes(rule):
    workspace = make_workspace("Acme EU")
    arrange, fix = SCENARIOS[rule]
    arrange(workspace)
    evaluate(workspace)
    opened = open_findings(workspace, rule)

    fix(workspace)
    evaluate(workspace)

    assert open_findings(workspace, rule) == []
    for finding in opened:
        finding.refresh_from_db()
        assert finding.resolved_at == NOW


@pytest.mark.parametrize("rule", sorted(SCENARIOS))
def test_a_muted_finding_is_kept_but_not_shown_as_open(rule):
    workspace = make_workspace("Acme EU")
    SCENARIOS[rule][0](workspace)
    evaluate(workspace)
    finding = open_findings(workspace, rule)[0]

    mute(
        finding=finding,
        reason="Known; AAC support ticket 123",
        user=make_user("bob"),
        until=None,
        now=NOW,
    )
    evaluate(workspace)

    assert finding in open_findings(workspace, rule)
    visible = open_unmuted(Finding.objects.filter(rule=rule), now=NOW)
    assert finding not in visible
    muted = open_unmuted(Finding.objects.filter(rule=rule), now=NOW, muted=True)
    assert finding in muted
