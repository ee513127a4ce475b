"""The daily digest: scoped to the user's workspaces, at their local hour, once a
day however many beats ask, nothing on a day with nothing to say, through a
real SMTP server, with an unsubscribe link that needs no login."""

import socket
import threading
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.urls import reverse

from accounts.models import Profile
from attention.digest import compose, send_due_digests
from attention.models import Digest
from tests.attention.world import NOW, SCENARIOS, evaluate, hourly_schedule
from tests.availability import require_postgres
from tests.factories import make_aac_run, make_people, make_workspace

# NOW is 10:00 UTC: 19:00 in Tokyo.
LATER = timedelta(hours=1)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def opt_in(user, *, hour=9, tz="Asia/Tokyo"):
    Profile.objects.update_or_create(
        user=user, defaults={"timezone": tz, "digest": True, "digest_hour": hour}
    )


def build_world():
    acme = make_workspace("Acme EU")
    globex = make_workspace("Globex US", region="us1")
    people = make_people(acme)
    for rule in ("owner_disabled", "sync_failing", "token_expiring"):
        SCENARIOS[rule][0](acme)
    SCENARIOS["needs_reauth"][0](globex)
    make_aac_run(acme, status="Failed", created=NOW - timedelta(hours=2))
    make_aac_run(globex, status="Failed", created=NOW - timedelta(hours=2))
    evaluate(acme), evaluate(globex)
    return acme, globex, people


@pytest.fixture
def world(db, frozen):
    return build_world()


def test_it_names_a_few_findings_of_a_rule_and_counts_the_rest(world):
    acme, _, people = world
    for aac_id in range(300, 310):
        hourly_schedule(acme, aac_id, owner_disabled=True)
    evaluate(acme)

    content = compose(user=people["carol"], since=NOW - timedelta(days=1), now=NOW)

    (group,) = [g for g in content.new if g.rule.key == "owner_disabled"]
    assert (group.count, len(group.examples), group.more) == (11, 3, 8)
    assert content.new_count == 13


def test_it_tells_each_user_about_their_workspaces_only(world):
    _, _, people = world

    carol = compose(user=people["carol"], since=NOW - timedelta(days=1), now=NOW)
    alice = compose(user=people["alice"], since=NOW - timedelta(days=1), now=NOW)
    charlie = compose(user=people["charlie"], since=NOW - timedelta(days=1), now=NOW)

    assert {f.workspace.name for g in carol.new for f in g.examples} == {"Acme EU"}
    assert [(g.rule.key, g.count) for g in carol.new] == [
        ("sync_failing", 1),
        ("owner_disabled", 1),
        ("token_expiring", 1),
    ]
    assert carol.failed_runs == [("Acme EU", 1)]
    assert [f.rule for f in carol.tokens] == ["token_expiring"]
    assert [f.workspace.name for f in carol.syncs_failing] == ["Acme EU"]
    assert {f.workspace.name for g in alice.new for f in g.examples} == {
        "Acme EU",
        "Globex US",
    }
    assert alice.failed_total == 2
    assert charlie.empty


def test_it_lists_findings_opened_since_the_last_digest_and_still_open(world):
    _, _, people = world

    later = compose(user=people["carol"], since=NOW + timedelta(minutes=1), now=NOW)

    assert later.new == []
    assert later.syncs_failing  # still failing: said every day


def test_it_sends_at_the_users_local_hour_once_a_day(world, mailoutbox):
    _, _, people = world
    opt_in(people["carol"], hour=19)  # 19:00 in Tokyo is NOW
    opt_in(people["bob"], hour=20)  # not yet

    assert send_due_digests(now=NOW) == 1
    assert send_due_digests(now=NOW + LATER) == 1  # bob's hour came; carol's done

    assert [m.to for m in mailoutbox] == [["carol@example.com"], ["bob@example.com"]]
    assert Digest.objects.filter(status=Digest.Status.SENT).count() == 2


def test_nothing_is_sent_when_there_is_nothing_to_say(db, frozen, mailoutbox, settings):
    people = make_people(make_workspace("Quiet"))
    opt_in(people["carol"], hour=0)

    assert send_due_digests(now=NOW) == 0
    assert mailoutbox == []
    assert Digest.objects.get().status == Digest.Status.EMPTY

    settings.AAC_DIGEST_SEND_EMPTY = True
    Digest.objects.all().delete()
    assert send_due_digests(now=NOW) == 1
    assert "Nothing new" in mailoutbox[0].body


def test_a_failed_send_gives_the_claim_back_and_the_next_tick_sends(
    world, mailoutbox, monkeypatch
):
    _, _, people = world
    opt_in(people["carol"], hour=0)
    original = EmailMultiAlternatives.send
    monkeypatch.setattr(
        EmailMultiAlternatives,
        "send",
        lambda self: (_ for _ in ()).throw(OSError("down")),
    )

    assert send_due_digests(now=NOW) == 0
    assert not Digest.objects.exists()

    monkeypatch.setattr(EmailMultiAlternatives, "send", original)
    assert send_due_digests(now=NOW + LATER) == 1
    assert len(mailoutbox) == 1


def test_those_who_did_not_opt_in_get_nothing(world, mailoutbox):
    _, _, people = world
    Profile.objects.create(user=people["carol"], timezone="UTC", digest=False)

    assert send_due_digests(now=NOW) == 0


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_send_one_digest(mailoutbox):
    require_postgres(connection.vendor)
    with time_machine.travel(NOW, tick=False):
        _, _, people = build_world()
        opt_in(people["carol"], hour=0)
    start = threading.Barrier(2)
    sent = []

    def beat():
        try:
            start.wait()
            sent.append(send_due_digests(now=NOW))
        finally:
            connection.close()  # this thread's own

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(sent) == [0, 1]
    assert len(mailoutbox) == 1
    assert Digest.objects.count() == 1


class Capture:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(settings):
    capture = Capture()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(capture, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = (
        "127.0.0.1",
        controller.server.sockets[0].getsockname()[1],
    )
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield capture
    controller.stop()


def test_it_goes_through_a_real_smtp_server_with_text_html_and_unsubscribe(
    world, smtp, client, settings
):
    _, _, people = world
    settings.AAC_PORTAL_URL = "https://portal.example"
    opt_in(people["carol"], hour=0)

    assert send_due_digests(now=NOW) == 1

    (envelope,) = smtp.messages
    assert envelope.rcpt_tos == ["carol@example.com"]
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert message["Subject"].startswith("AAC Portal: 3 new findings, 1 failed run")
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Enabled, but its owner Old Owner is disabled in AAC." in text
    assert "Owner disabled (At risk): 1" in text
    assert "Re-enable the owner in AAC long enough" in html
    assert "Globex US" not in text
    assert "Globex US" not in html
    assert "<script" not in html.lower()
    assert 'style="' in html
    assert "<style" not in html
    unsubscribe = message["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe.startswith("https://portal.example/accounts/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in text
    assert unsubscribe in html

    path = unsubscribe.removeprefix("https://portal.example")
    assert client.get(path).status_code == 200  # no login: asks first
    assert Profile.objects.get(user=people["carol"]).digest
    assert client.post(path).status_code == 200  # one click, no CSRF token
    assert not Profile.objects.get(user=people["carol"]).digest


def test_a_forged_unsubscribe_link_changes_nothing(world, client):
    _, _, people = world
    opt_in(people["carol"])
    url = reverse("digest_unsubscribe", args=["eyJ1c2VyIjozfQ:forged:signature"])

    assert client.post(url).status_code == 404
    assert Profile.objects.get(user=people["carol"]).digest


def test_the_preferences_page_turns_the_digest_on_at_an_hour(world, client):
    _, _, people = world
    client.force_login(people["bob"])

    client.post(
        reverse("preferences"),
        {"timezone": "Europe/Paris", "digest": "on", "digest_hour": "7"},
    )

    profile = Profile.objects.get(user=people["bob"])
    assert (profile.digest, profile.digest_hour, profile.timezone) == (
        True,
        7,
        "Europe/Paris",
    )
    assert mail.outbox == []
