"""The workspace and connection forms: pasted tokens are validated, write-only, and
saved safely; duplicates are refused with a reason."""

import pytest

from tests.aac.tokens import make_jwt
from tests.factories import make_workspace
from tests.workspaces.stored import reread, tokens
from workspaces.forms import ConnectionForm, NewWorkspaceForm, WorkspaceForm
from workspaces.models import Connection, Workspace
from workspaces.tokens.pasted import store_pasted_tokens

pytestmark = pytest.mark.django_db

EU_ISSUER = "https://pingauth-eu1.alteryxcloud.com/as"
GID = "01GIDOFTHISWORKSPACE"


def jwt(*, gid=GID, sub="146301", **claims) -> str:
    return make_jwt(
        {
            "iss": EU_ISSUER,
            "client_id": "client-from-jwt",
            "exp": 4102444800,
            "scope": [f"w:{gid}"],
            "sub": sub,
            **claims,
        }
    )


ACCESS = jwt()
REFRESH = "rt-stored-refresh-token-abcdef"


def form_data(**changes):
    data = {
        "name": "Acme EU",
        "region": "eu1",
        "is_active": True,
        "client_id": "",
        "api_project_id": "",
        "refresh_token_lifetime_days": "",
        "new_access_token": ACCESS,
        "new_refresh_token": REFRESH,
    }
    data.update(changes)
    return data


def connection_data(**changes):
    data = {
        "client_id": "",
        "refresh_token_lifetime_days": "",
        "new_access_token": ACCESS,
        "new_refresh_token": REFRESH,
    }
    data.update(changes)
    return data


def stored_connection():
    workspace = make_workspace("Acme EU", region="eu1", aac_gid=GID)
    connection = workspace.connections.get()
    store_pasted_tokens(connection, access_token=ACCESS, refresh_token=REFRESH)
    return reread(connection)


def errors_of(form, field) -> str:
    assert not form.is_valid()
    return " ".join(form.errors.get(field, []))


def test_it_adds_a_workspace_with_its_first_connection_encrypted():
    form = NewWorkspaceForm(data=form_data())

    workspace = form.save() if form.is_valid() else pytest.fail(str(form.errors))

    connection = workspace.connections.get()
    assert tokens(connection.pk) == (ACCESS, REFRESH)
    assert connection.client_id == "client-from-jwt"
    assert connection.aac_person_id == "146301"
    assert reread(connection).state == Connection.State.NEW
    assert reread(connection).access_token_expires_at.year == 2100
    assert Workspace.objects.get(pk=workspace.pk).aac_gid == GID


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("new_access_token", "", "Access token: paste the token."),
        ("new_refresh_token", "", "Refresh token: paste the token."),
        ("new_access_token", "   ", "Access token: only whitespace was pasted."),
        ("new_refresh_token", "\t\n", "Refresh token: only whitespace was pasted."),
        ("new_access_token", f"{ACCESS}\nmore", "Access token: spans several lines"),
        ("new_refresh_token", "rt-1\r\nrt-2", "Refresh token: spans several lines"),
        ("new_access_token", f"Bearer {ACCESS}", "Access token: contains spaces"),
        ("new_refresh_token", f" {REFRESH}", "Refresh token: contains spaces"),
        ("new_refresh_token", "rt-ünïcode", "Refresh token: contains spaces"),
    ],
)
def test_it_names_the_field_of_a_bad_paste(field, value, message):
    form = NewWorkspaceForm(data=form_data(**{field: value}))

    assert not form.is_valid()
    assert any(error.startswith(message) for error in form.errors[field])
    assert not Workspace.objects.exists()


def test_it_never_quotes_a_pasted_value_in_an_error():
    form = NewWorkspaceForm(data=form_data(new_access_token=f"{ACCESS} trailing"))

    assert not form.is_valid()
    assert ACCESS not in str(form.errors)


def test_it_refuses_a_token_from_another_regions_issuer():
    message = errors_of(
        NewWorkspaceForm(data=form_data(region="us1")), "new_access_token"
    )

    assert "pingauth-eu1" in message
    assert "Choose the workspace's region" in message


def test_it_refuses_the_access_token_pasted_twice():
    form = NewWorkspaceForm(data=form_data(new_refresh_token=ACCESS))

    assert "access token again" in errors_of(form, "new_refresh_token")


def test_it_accepts_an_opaque_access_token_and_says_so():
    form = NewWorkspaceForm(data=form_data(new_access_token="opaque.token_42"))

    assert form.is_valid(), form.errors
    assert form.pasted_opaque_token
    workspace = form.save()
    assert workspace.connections.get().access_token_expires_at is None


def test_blank_token_fields_on_edit_keep_the_stored_pair():
    connection = stored_connection()
    form = ConnectionForm(
        data=connection_data(
            refresh_token_lifetime_days=30, new_access_token="", new_refresh_token=""
        ),
        instance=connection,
    )

    assert form.is_valid(), form.errors
    form.save()

    assert reread(connection).refresh_token_lifetime_days == 30
    assert tokens(connection.pk) == (ACCESS, REFRESH)


def test_it_asks_for_both_tokens_of_a_new_pair_on_edit():
    connection = stored_connection()
    form = ConnectionForm(
        data=connection_data(new_refresh_token=""), instance=connection
    )

    assert form.errors["new_refresh_token"] == [
        "Refresh token: paste both tokens of the new pair."
    ]


def test_a_bad_paste_on_edit_leaves_the_stored_pair():
    connection = stored_connection()
    form = ConnectionForm(
        data=connection_data(new_access_token="two\nlines", new_refresh_token="rt-new"),
        instance=connection,
    )

    assert not form.is_valid()
    assert tokens(connection.pk) == (ACCESS, REFRESH)


def test_it_refuses_a_pair_of_another_aac_workspace():
    connection = stored_connection()
    form = ConnectionForm(
        data=connection_data(
            new_access_token=jwt(gid="01OTHER"), new_refresh_token="rt-other"
        ),
        instance=connection,
    )

    assert "belongs to AAC workspace 01OTHER" in errors_of(form, "new_access_token")


def test_an_edit_never_writes_token_columns_from_a_stale_instance():
    stale = Connection.objects.defer(None).get(pk=stored_connection().pk)
    assert (stale.access_token, stale.refresh_token) == (ACCESS, REFRESH)  # loaded
    store_pasted_tokens(reread(stale), access_token="newer", refresh_token="rt-2")
    form = ConnectionForm(
        data=connection_data(
            client_id="edited", new_access_token="", new_refresh_token=""
        ),
        instance=stale,
    )

    assert form.is_valid(), form.errors
    form.save()

    assert tokens(stale.pk) == ("newer", "rt-2")
    assert reread(stale).client_id == "edited"


def test_it_keeps_the_refresh_token_lifetime_within_what_aac_offers():
    form = NewWorkspaceForm(data=form_data(refresh_token_lifetime_days=400))

    assert "1 to 365 days" in errors_of(form, "refresh_token_lifetime_days")


def test_its_token_inputs_never_render_a_value():
    connection = stored_connection()
    form = ConnectionForm(
        data=connection_data(new_access_token="bad value"), instance=connection
    )
    form.is_valid()

    html = str(form)

    assert 'type="password"' in html
    for secret in (REFRESH, "bad value", ACCESS):
        assert secret not in html


def test_a_second_person_is_added_as_a_second_connection_in_the_next_slot():
    first = stored_connection()
    form = ConnectionForm(
        data=connection_data(
            new_access_token=jwt(sub="146302"), new_refresh_token="rt-2"
        ),
        workspace=first.workspace,
    )

    assert form.is_valid(), form.errors
    second = form.save()

    assert (second.slot, second.aac_person_id) == (1, "146302")
    assert tokens(second.pk) == (jwt(sub="146302"), "rt-2")


# Duplicates: each refused with a clear message (docs/reliability.md, duplicates).


def test_it_refuses_an_aac_workspace_the_portal_already_has():
    stored_connection()

    form = NewWorkspaceForm(
        data=form_data(
            name="Acme again", new_access_token=jwt(sub="9"), new_refresh_token="rt-9"
        )
    )

    message = errors_of(form, "new_access_token")
    assert f"AAC workspace {GID}, which the portal already has as “Acme EU”" in message
    assert Workspace.objects.count() == 1


def test_it_refuses_a_refresh_token_already_stored_elsewhere():
    stored_connection()
    other = make_workspace("Other", region="eu1", connection=False)

    form = ConnectionForm(
        data=connection_data(new_access_token=jwt(gid="01OTHER", sub="7")),
        workspace=other,
    )

    message = errors_of(form, "new_refresh_token")
    assert "already stored for" in message
    assert "Acme EU" in message
    assert REFRESH not in message
    assert not other.connections.exists()


def test_it_refuses_an_access_token_paired_with_another_workspaces_refresh_token():
    """Acme's refresh token pasted beside the access token of another workspace's
    pair: the portal holds Acme's, so it knows the two are not one pair."""
    stored_connection()
    other = make_workspace("Other", region="eu1", connection=False)

    form = ConnectionForm(
        data=connection_data(
            new_access_token=jwt(gid="01OTHER", sub="7"), new_refresh_token=REFRESH
        ),
        workspace=other,
    )

    assert "already stored for" in errors_of(form, "new_refresh_token")


def test_it_refuses_a_second_connection_of_the_same_person():
    first = stored_connection()

    form = ConnectionForm(
        data=connection_data(new_refresh_token="rt-another"), workspace=first.workspace
    )

    assert "already has a connection to this workspace" in errors_of(
        form, "new_access_token"
    )


def test_a_region_change_wipes_every_connections_tokens():
    connection = stored_connection()
    form = WorkspaceForm(
        data={"name": "Acme EU", "region": "us1", "is_active": True},
        instance=Workspace.objects.get(pk=connection.workspace_id),
    )

    assert form.is_valid(), form.errors
    assert form.region_changed
    form.save()

    stored = reread(connection)
    assert stored.state == Connection.State.NEEDS_REAUTH
    assert "region changed to us1" in stored.state_reason
    assert tokens(connection.pk) == ("", "")
