import base64
import binascii
import json
import threading

import pytest
import requests

from tests.clocks import Clock


def payload_of(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_it_rotates_the_refresh_token_on_every_use(remote):
    workspace, pair = remote.workspace()

    first = remote.refresh(pair.refresh_token, pair.client_id)
    second = remote.refresh(first.json()["refresh_token"], pair.client_id)

    assert first.status_code == second.status_code == 200
    assert set(first.json()) == {
        "access_token",
        "refresh_token",
        "expires_in",
        "token_type",
    }
    assert first.json()["token_type"] == "Bearer"
    tokens = {pair.refresh_token, *(r.json()["refresh_token"] for r in (first, second))}
    assert len(tokens) == 3
    assert remote.sim.stats.refreshes[workspace.id] == 2


def test_it_refuses_a_used_refresh_token_at_once(remote):
    _, pair = remote.workspace()
    assert remote.refresh(pair.refresh_token, pair.client_id).status_code == 200

    again = remote.refresh(pair.refresh_token, pair.client_id)

    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert "does not exist" in again.json()["error_description"]


def test_it_refuses_an_unknown_refresh_token(remote):
    _, pair = remote.workspace()

    answer = remote.refresh("not-a-token", pair.client_id)

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"refresh_token": "R", "client_id": "C"}, "invalid_request"),
        ({"grant_type": "password", "refresh_token": "R", "client_id": "C"}, None),
        ({"grant_type": "refresh_token", "client_id": "C"}, "invalid_request"),
        ({"grant_type": "refresh_token", "refresh_token": "R"}, "invalid_request"),
    ],
)
def test_it_rejects_incomplete_token_requests_without_spending_the_token(
    remote, form, error
):
    _, pair = remote.workspace()
    form = {
        key: {"R": pair.refresh_token, "C": pair.client_id}.get(value, value)
        for key, value in form.items()
    }

    answer = remote.http.post(remote.token_url, data=form, timeout=5)

    assert answer.status_code == 400
    assert answer.json()["error"] == (error or "unsupported_grant_type")
    assert remote.refresh(pair.refresh_token, pair.client_id).status_code == 200


def test_it_refuses_the_client_id_of_another_workspace(remote):
    _, pair = remote.workspace("One")
    _, other = remote.workspace("Two")

    answer = remote.refresh(pair.refresh_token, other.client_id)

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"
    assert remote.refresh(pair.refresh_token, pair.client_id).status_code == 200


def test_it_keeps_a_spent_refresh_token_working_during_the_grace_period(connect):
    clock = Clock()
    remote = connect(clock=clock, refresh_grace_seconds=30)
    _, pair = remote.workspace()
    assert remote.refresh(pair.refresh_token, pair.client_id).status_code == 200

    clock.advance(29)
    within = remote.refresh(pair.refresh_token, pair.client_id)
    clock.advance(2)
    after = remote.refresh(pair.refresh_token, pair.client_id)

    assert within.status_code == 200
    assert after.status_code == 400


@pytest.mark.parametrize(("revoke", "status"), [(True, 400), (False, 200)])
def test_it_revokes_the_descendants_of_a_reused_token_when_configured(
    connect, revoke, status
):
    remote = connect(revoke_family_on_reuse=revoke)
    _, pair = remote.workspace()
    child = remote.refresh(pair.refresh_token, pair.client_id).json()
    grandchild = remote.refresh(child["refresh_token"], pair.client_id).json()

    reuse = remote.refresh(pair.refresh_token, pair.client_id)
    latest = remote.refresh(grandchild["refresh_token"], pair.client_id)

    assert reuse.status_code == 400
    assert latest.status_code == status


def test_it_expires_refresh_tokens_after_their_lifetime(connect):
    clock = Clock()
    remote = connect(clock=clock)
    workspace, _ = remote.workspace()
    pair = remote.sim.new_token_pair(workspace.id, refresh_token_lifetime_days=1)
    successor = remote.refresh(pair.refresh_token, pair.client_id).json()

    clock.advance(86400)

    answer = remote.refresh(successor["refresh_token"], pair.client_id)
    assert answer.json()["error"] == "invalid_grant"


def test_it_lets_exactly_one_of_eight_concurrent_refreshes_win(served):
    workspace, pair = served.workspace()
    barrier = threading.Barrier(8)
    statuses = []

    def refresh():
        with requests.Session() as http:
            barrier.wait()
            form = {
                "grant_type": "refresh_token",
                "refresh_token": pair.refresh_token,
                "client_id": pair.client_id,
            }
            statuses.append(
                http.post(served.token_url, data=form, timeout=5).status_code
            )

    threads = [threading.Thread(target=refresh) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] + [400] * 7
    assert served.sim.stats.refreshes[workspace.id] == 1


def test_it_issues_hs256_jwts_with_the_agreed_claims(connect):
    clock = Clock()
    remote = connect(clock=clock, access_token_lifetime=300)
    workspace, pair = remote.workspace()

    header_part = pair.access_token.split(".")[0]
    claims = payload_of(pair.access_token)

    assert "=" not in pair.access_token
    assert json.loads(base64.urlsafe_b64decode(header_part + "==")) == {
        "alg": "HS256",
        "typ": "JWT",
    }
    assert claims["iss"] == remote.sim.issuer
    assert claims["client_id"] == workspace.client_id == pair.client_id
    assert f"w:{workspace.gid}" in claims["scope"]
    assert claims["sub"] == str(workspace.people[0]["id"])
    assert claims["iat"] == int(clock.now)
    assert claims["exp"] == int(clock.now) + 300 == claims["iat"] + pair.expires_in
    assert workspace.project_id != workspace.client_id


def test_it_puts_base64url_only_characters_in_every_payload(remote):
    _, pair = remote.workspace()
    refreshed = remote.refresh(pair.refresh_token, pair.client_id).json()

    for token in (pair.access_token, refreshed["access_token"]):
        payload = token.split(".")[1]
        assert "-" in payload
        assert "_" in payload
        with pytest.raises((binascii.Error, ValueError)):
            # What a standard-alphabet decoder (Alteryx's example) gets.
            json.loads(base64.b64decode(payload + "===="))


def test_it_can_issue_payloads_a_standard_alphabet_decoder_reads(connect):
    remote = connect(jwt_alphabet="standard")
    workspace, pair = remote.workspace()

    payload = pair.access_token.split(".")[1]

    assert "-" not in payload
    assert "_" not in payload
    claims = json.loads(base64.b64decode(payload + "===="))
    assert claims["client_id"] == workspace.client_id


def test_it_refuses_a_token_whose_payload_was_tampered_with(remote):
    _, pair = remote.workspace("Mine")
    other, _ = remote.workspace("Theirs")
    header, _, signature = pair.access_token.split(".")
    claims = payload_of(pair.access_token)
    claims["scope"] = [f"w:{other.gid}"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")

    answer = remote.get(
        "/v4/workspaces/current",
        headers={"Authorization": f"Bearer {header}.{forged.decode()}.{signature}"},
    )

    assert answer.status_code == 401


def test_it_keeps_tokens_out_of_the_pair_repr(remote):
    _, pair = remote.workspace()

    assert pair.access_token not in repr(pair)
    assert pair.refresh_token not in repr(pair)
