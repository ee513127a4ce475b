"""The attention page: findings of the workspaces the user sees, grouped by
severity and rule, with counts, filters, "since", the links that fix each, and
mute buttons for operators only; and the dashboard's first row."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from attention.models import Finding, Mute
from pages.attention import PER_GROUP
from schedules.models import Schedule
from tests.attention.world import NOW, SCENARIOS, evaluate
from tests.factories import make_schedule

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def findings(world):
    """Acme: an owner-disabled schedule, a failing sync and a connection to
    re-authorise; Globex (alice's alone): an owner-disabled schedule."""
    for rule in ("owner_disabled", "sync_failing", "needs_reauth"):
        SCENARIOS[rule][0](world.acme)
    SCENARIOS["owner_disabled"][0](world.globex)
    evaluate(world.acme), evaluate(world.globex)
    return world


def page(client, **params):
    return client.get(reverse("pages:attention"), params)


def test_it_groups_findings_by_severity_and_rule_with_counts(login, findings):
    response = page(login(findings.alice))

    sections = response.context["page"].sections
    assert [s.severity for s in sections] == ["critical", "warning"]
    assert [(g.rule.key, g.count) for g in sections[0].groups] == [
        ("sync_failing", 1),
        ("needs_reauth", 1),
    ]
    assert [(g.rule.key, g.count) for g in sections[1].groups] == [
        ("owner_disabled", 2)
    ]
    assert response.context["page"].total == 4
    text = response.text
    assert "Enabled, but its owner Old Owner is disabled in AAC." in text
    assert "Re-enable the owner in AAC long enough" in text  # what to do
    assert "AAC answered 503." in text


def test_it_shows_only_the_workspaces_the_user_may_see(login, findings):
    carol = page(login(findings.carol)).context["page"]
    assert carol.total == 3
    assert "Globex US" not in page(login(findings.carol)).text

    charlie = page(login(findings.charlie))
    assert charlie.context["page"].total == 0
    assert "Nothing here" in charlie.text


def test_it_filters_by_workspace_severity_and_rule(login, findings):
    client = login(findings.alice)

    assert page(client, workspace=findings.globex.pk).context["page"].total == 1
    assert page(client, severity="critical").context["page"].total == 2
    assert page(client, rule="needs_reauth").context["page"].total == 1


def test_it_links_each_finding_to_what_fixes_it(login, findings):
    Schedule.objects.filter(aac_id=11).update(task_kind="plan")
    response = page(login(findings.bob))

    schedule = Schedule.objects.get(workspace=findings.acme, aac_id=11)
    page_url = reverse("pages:schedule", args=[findings.acme.pk, 11])
    run_now = reverse("pages:run_now", args=[findings.acme.pk, "schedule", 11])
    disable = f"{reverse('pages:change_new')}?action=disable&amp;s={schedule.pk}"
    connections = reverse("pages:connections", args=[findings.acme.pk])
    assert f'href="{page_url}"' in response.text
    assert f'href="{run_now}">Run now…<' in response.text
    assert f'href="{disable}">Disable…<' in response.text
    assert "https://eu1.alteryxcloud.com/schedules/11" in response.text
    assert f'href="{connections}">Reconnect<' in response.text


def test_a_viewer_gets_no_run_or_disable_link(login, findings):
    response = page(login(findings.carol))

    assert "Run now…" not in response.text
    assert "Disable…" not in response.text
    assert "Reconnect" not in response.text


def test_a_viewer_sees_no_mute_button_and_cannot_mute(login, findings):
    client = login(findings.carol)
    finding = Finding.objects.get(workspace=findings.acme, rule="owner_disabled")

    assert "Mute</summary>" not in page(client).text
    response = client.post(
        reverse("pages:finding_mute", args=[finding.pk]), {"reason": "no"}
    )

    assert response.status_code == 403
    assert not Mute.objects.exists()


def test_an_operator_mutes_with_a_reason_until_a_date_and_unmutes(login, findings):
    client = login(findings.bob)
    finding = Finding.objects.get(workspace=findings.acme, rule="owner_disabled")
    url = reverse("pages:finding_mute", args=[finding.pk])

    response = client.post(
        url, {"reason": "Owner back on Monday", "days": "7", "back": "/attention/?x=1"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/attention/?x=1"
    mute = Mute.objects.get()
    assert (mute.reason, mute.muted_by, mute.until) == (
        "Owner back on Monday",
        findings.bob,
        NOW + timedelta(days=7),
    )
    assert page(client).context["page"].total == 2
    muted = page(client, show="muted")
    assert muted.context["page"].total == 1
    assert "Unmute" in muted.text
    assert "Muted by bob until" in muted.text
    assert "Owner back on Monday" in muted.text

    client.post(reverse("pages:finding_unmute", args=[finding.pk]))

    assert not Mute.objects.exists()
    assert page(client).context["page"].total == 3


def test_a_mute_ends_at_its_time(login, findings):
    client = login(findings.bob)
    finding = Finding.objects.get(workspace=findings.acme, rule="owner_disabled")
    client.post(
        reverse("pages:finding_mute", args=[finding.pk]), {"reason": "x", "days": "1"}
    )

    with time_machine.travel(NOW + timedelta(days=1, minutes=1), tick=False):
        assert page(client).context["page"].total == 3


def test_a_mute_without_a_reason_is_refused(login, findings):
    client = login(findings.bob)
    finding = Finding.objects.get(workspace=findings.acme, rule="owner_disabled")

    response = client.post(
        reverse("pages:finding_mute", args=[finding.pk]), {"reason": "  "}, follow=True
    )

    assert "the reason is required" in response.text
    assert not Mute.objects.exists()


def test_it_never_sends_back_to_another_site(login, findings):
    finding = Finding.objects.get(workspace=findings.acme, rule="owner_disabled")
    response = login(findings.bob).post(
        reverse("pages:finding_mute", args=[finding.pk]),
        {"reason": "x", "back": "https://evil.example/"},
    )

    assert response["Location"] == "/attention/"


def test_it_shows_resolved_findings_of_the_last_week(login, findings):
    SCENARIOS["sync_failing"][1](findings.acme)
    evaluate(findings.acme)

    response = page(login(findings.bob), show="resolved")

    assert [
        g.rule.key for s in response.context["page"].sections for g in s.groups
    ] == ["sync_failing"]
    assert "resolved" in response.text


def test_a_group_shows_its_first_findings_and_links_to_all(login, world):
    for aac_id in range(100, 100 + PER_GROUP + 5):
        make_schedule(world.acme, aac_id=aac_id, owner_disabled=True)
    evaluate(world.acme)
    client = login(world.bob)

    group = page(client).context["page"].sections[0].groups[0]

    assert (len(group.findings), group.more) == (PER_GROUP, 5)
    assert "?rule=owner_disabled" in page(client).text
    assert len(
        page(client, rule="owner_disabled").context["page"].page.object_list
    ) == (PER_GROUP + 5)


def test_its_statements_do_not_grow_with_findings(
    login, world, django_assert_max_num_queries
):
    client = login(world.bob)
    for rule in SCENARIOS:
        if rule != "partial_coverage":
            SCENARIOS[rule][0](world.acme)
    evaluate(world.acme)
    with django_assert_max_num_queries(30) as few:
        page(client)
    for aac_id in range(200, 400):
        make_schedule(world.acme, aac_id=aac_id, owner_disabled=True)
    evaluate(world.acme)

    with django_assert_max_num_queries(len(few.captured_queries)):
        page(client)


def test_the_dashboards_first_row_says_what_needs_you_today(login, findings):
    response = login(findings.carol).get(reverse("pages:dashboard"))

    today = response.context["today"]
    assert today.by_severity == {"critical": 2, "warning": 1}
    assert today.new == 3
    assert "What needs you today" in response.text
    assert f'href="{reverse("pages:attention")}?rule=sync_failing"' in response.text
    owner_tile = f'href="{reverse("pages:attention")}?rule=owner_disabled"'
    assert owner_tile in response.text


def test_the_dashboard_says_so_when_nothing_needs_you(login, world):
    response = login(world.carol).get(reverse("pages:dashboard"))

    assert "Nothing: no open finding in your workspaces." in response.text


@pytest.mark.parametrize("name", ["finding_mute", "finding_unmute"])
def test_a_mute_button_refuses_a_get_and_a_post_without_csrf(login, findings, name):
    finding = Finding.objects.get(workspace=findings.acme, rule="owner_disabled")
    url = reverse(f"pages:{name}", args=[finding.pk])
    assert login(findings.bob).get(url).status_code == 405

    client = Client(enforce_csrf_checks=True)
    client.force_login(findings.bob)

    assert client.post(url, {"reason": "x"}).status_code == 403
    assert not Mute.objects.exists()
