"""The workspace form: pasted tokens are validated, write-only, and saved safely."""

import pytest

from tests.aac.tokens import make_jwt
from tests.factories import make_workspace
from tests.workspaces.stored import tokens
from workspaces.forms import WorkspaceForm
from workspaces.models import Workspace
from workspaces.tokens.pasted import store_pasted_tokens

pytestmark = pytest.mark.django_db

EU_ISSUER = "https://pingauth-eu1.alteryxcloud.com/as"
ACCESS = make_jwt(
    {
        "iss": EU_ISSUER,
        "client_id": "client-from-jwt",
        "exp": 4102444800,
        "scope": ["w:01GIDOFTHISWORKSPACE"],
    }
)
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


def stored_workspace():
    workspace = make_workspace("Acme EU", region="eu1", aac_gid="01GIDOFTHISWORKSPACE")
    store_pasted_tokens(workspace, access_token=ACCESS, refresh_token=REFRESH)
    return Workspace.objects.get(pk=workspace.pk)


def test_it_adds_a_workspace_with_its_pair_encrypted():
    form = WorkspaceForm(data=form_data())

    workspace = form.save() if form.is_valid() else pytest.fail(str(form.errors))

    assert tokens(workspace.pk) == (ACCESS, REFRESH)
    stored = Workspace.objects.get(pk=workspace.pk)
    assert stored.client_id == "client-from-jwt"
    assert stored.state == Workspace.State.NEW
    assert stored.access_token_expires_at.year == 2100


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
    form = WorkspaceForm(data=form_data(**{field: value}))

    assert not form.is_valid()
    assert any(error.startswith(message) for error in form.errors[field])
    assert not Workspace.objects.exists()


def test_it_never_quotes_a_pasted_value_in_an_error():
    form = WorkspaceForm(data=form_data(new_access_token=f"{ACCESS} trailing"))

    assert not form.is_valid()
    assert ACCESS not in str(form.errors)


def test_it_refuses_a_token_from_another_regions_issuer():
    form = WorkspaceForm(data=form_data(region="us1"))

    assert not form.is_valid()
    assert "pingauth-eu1" in form.errors["new_access_token"][0]
    assert "Choose the workspace's region" in form.errors["new_access_token"][0]


def test_it_refuses_the_access_token_pasted_twice():
    form = WorkspaceForm(data=form_data(new_refresh_token=ACCESS))

    assert not form.is_valid()
    assert "access token again" in form.errors["new_refresh_token"][0]


def test_it_accepts_an_opaque_access_token_and_says_so():
    form = WorkspaceForm(data=form_data(new_access_token="opaque.token_42"))

    assert form.is_valid(), form.errors
    assert form.pasted_opaque_token
    workspace = form.save()
    assert Workspace.objects.get(pk=workspace.pk).access_token_expires_at is None


def test_blank_token_fields_on_edit_keep_the_stored_pair():
    workspace = stored_workspace()
    form = WorkspaceForm(
        data=form_data(name="Renamed", new_access_token="", new_refresh_token=""),
        instance=workspace,
    )

    assert form.is_valid(), form.errors
    form.save()

    assert Workspace.objects.get(pk=workspace.pk).name == "Renamed"
    assert tokens(workspace.pk) == (ACCESS, REFRESH)


def test_it_asks_for_both_tokens_of_a_new_pair_on_edit():
    workspace = stored_workspace()
    form = WorkspaceForm(
        data=form_data(new_access_token=ACCESS, new_refresh_token=""),
        instance=workspace,
    )

    assert not form.is_valid()
    assert form.errors["new_refresh_token"] == [
        "Refresh token: paste both tokens of the new pair."
    ]


def test_a_bad_paste_on_edit_leaves_the_stored_pair():
    workspace = stored_workspace()
    form = WorkspaceForm(
        data=form_data(new_access_token="two\nlines", new_refresh_token="rt-new"),
        instance=workspace,
    )

    assert not form.is_valid()
    assert tokens(workspace.pk) == (ACCESS, REFRESH)


def test_it_refuses_a_pair_of_another_aac_workspace():
    workspace = stored_workspace()
    foreign = make_jwt({"iss": EU_ISSUER, "exp": 4102444800, "scope": ["w:01OTHER"]})
    form = WorkspaceForm(
        data=form_data(new_access_token=foreign, new_refresh_token="rt-other"),
        instance=workspace,
    )

    assert not form.is_valid()
    assert "belongs to AAC workspace 01OTHER" in form.errors["new_access_token"][0]


def test_an_edit_never_writes_token_columns_from_a_stale_instance():
    stale = stored_workspace()
    assert (stale.access_token, stale.refresh_token) == (ACCESS, REFRESH)  # loaded
    store_pasted_tokens(
        Workspace.objects.get(pk=stale.pk), access_token="newer", refresh_token="rt-2"
    )
    form = WorkspaceForm(
        data=form_data(name="Edited", new_access_token="", new_refresh_token=""),
        instance=stale,
    )

    assert form.is_valid(), form.errors
    form.save()

    assert tokens(stale.pk) == ("newer", "rt-2")


def test_it_keeps_the_refresh_token_lifetime_within_what_aac_offers():
    form = WorkspaceForm(data=form_data(refresh_token_lifetime_days=400))

    assert not form.is_valid()
    assert "1 to 365 days" in form.errors["refresh_token_lifetime_days"][0]


def test_its_token_inputs_never_render_a_value():
    workspace = stored_workspace()
    form = WorkspaceForm(
        data=form_data(new_access_token="bad value", new_refresh_token=REFRESH),
        instance=workspace,
    )
    form.is_valid()

    html = str(form)

    assert 'type="password"' in html
    for secret in (REFRESH, "bad value", ACCESS):
        assert secret not in html
