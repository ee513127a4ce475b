"""The forms the admin, the portal's "Connect my AAC account" and the services share.

Tokens are write-only: password inputs that never render a value, blank on
edit keeps the stored pair, and a pasted pair goes to the database only
through `tokens.pasted`. Everything else is saved with named `update_fields`
(docs/reliability.md rule 3).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from aac import parse_access_token
from workspaces.enrolment import add_connection
from workspaces.models import Connection, Workspace
from workspaces.tokens.pasted import (
    check_pair,
    check_pasted_token,
    store_pasted_tokens,
    wipe_tokens,
)
from workspaces.tokens.problems import REAUTH_HELP

TOKEN_FIELDS = ("new_access_token", "new_refresh_token")


def _token_field(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=False,  # whitespace in a token is an error to report, not to hide
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "new-password"}
        ),
        help_text=help_text,
    )


def _check_lifetime(days: int | None) -> int | None:
    if days is not None and not 1 <= days <= 365:
        raise ValidationError("AAC offers lifetimes of 1 to 365 days.")
    return days


class PairFields(forms.Form):
    """The two token inputs and their checks, for any form that takes a pair.

    `pair_required` says whether a pair must be pasted (adding) or may be
    left blank to keep the stored one (editing).
    """

    pair_required = True

    new_access_token = _token_field(
        "Access token",
        "From AAC → User Preferences → OAuth 2.0 API Tokens → Generate token. "
        "Never shown again; leave blank to keep the stored pair. A token that is "
        "not a JWT is accepted as opaque: its expiry is unknown and it is "
        "refreshed on first use.",
    )
    new_refresh_token = _token_field(
        "Refresh token",
        "Pasted together with the access token of the same pair.",
    )

    @sensitive_variables()
    def clean_new_access_token(self) -> str:
        return self._clean_token("new_access_token")

    @sensitive_variables()
    def clean_new_refresh_token(self) -> str:
        return self._clean_token("new_refresh_token")

    @sensitive_variables()
    def _clean_token(self, name: str) -> str:
        value = self.cleaned_data[name]
        if value == "":
            return value  # blank: required on add, "keep the stored one" on edit
        return check_pasted_token(value, label=str(self.fields[name].label))

    @sensitive_variables()
    def clean_pair(
        self,
        *,
        region: str | None,
        workspace: Workspace | None,
        connection: Connection | None = None,
    ) -> None:
        """Both tokens or none (or both, when required), and a pair that fits."""
        cleaned = self.cleaned_data
        access, refresh = (
            cleaned.get("new_access_token"),
            cleaned.get("new_refresh_token"),
        )
        for name in TOKEN_FIELDS:
            if name in self.errors or cleaned.get(name):
                continue
            label = self.fields[name].label
            if self.pair_required:
                self.add_error(name, f"{label}: paste the token.")
            elif access or refresh:
                self.add_error(name, f"{label}: paste both tokens of the new pair.")
        if not (access and refresh and region):
            return
        try:
            check_pair(
                access_token=access,
                refresh_token=refresh,
                region=region,
                workspace=workspace,
                connection=connection,
            )
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                self.add_error(f"new_{field}", errors)

    @property
    def pasted(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data.get("new_access_token"))

    @property
    def pasted_opaque_token(self) -> bool:
        """True when a valid pasted access token is not a JWT (expiry unknown)."""
        return (
            self.pasted
            and parse_access_token(self.cleaned_data["new_access_token"]) is None
        )


class WorkspaceForm(forms.ModelForm):
    """A workspace's own fields. A region change wipes every connection's tokens:
    they were issued for the old region's hosts (docs/reliability.md rule 15)."""

    class Meta:
        model = Workspace
        fields = Workspace.EDITABLE_FIELDS

    @property
    def region_changed(self) -> bool:
        return (
            not self.instance._state.adding
            and "region" in self.changed_data
            and self.instance.connections.exists()
        )

    def save(self, commit: bool = True) -> Workspace:
        workspace = super().save(commit=False)
        if commit:
            with transaction.atomic():
                self._save(workspace)
        return workspace

    def _save(self, workspace: Workspace) -> None:
        if workspace._state.adding:
            workspace.save()
            return
        workspace.save(update_fields=Workspace.EDITABLE_FIELDS)
        if self.region_changed:
            wipe_tokens(
                workspace.connections.all(),
                reason=f"The workspace's region changed to {workspace.region}: "
                f"tokens of the old region are never sent to its hosts. {REAUTH_HELP}",
            )


class NewWorkspaceForm(PairFields, WorkspaceForm):
    """A workspace and its first connection, in one form (the admin's add page)."""

    client_id = forms.CharField(
        label="OAuth client id",
        required=False,
        max_length=255,
        help_text="Used to refresh tokens. Taken from the access token when blank.",
    )
    refresh_token_lifetime_days = forms.IntegerField(
        required=False,
        help_text="The lifetime chosen in AAC (1-365 days), to warn before it dies.",
    )

    def clean_refresh_token_lifetime_days(self) -> int | None:
        return _check_lifetime(self.cleaned_data["refresh_token_lifetime_days"])

    def clean(self):
        cleaned = super().clean()
        self.clean_pair(region=cleaned.get("region"), workspace=None)
        return cleaned

    @sensitive_variables()
    def _save(self, workspace: Workspace) -> None:
        super()._save(workspace)
        data = self.cleaned_data
        add_connection(
            Connection(
                workspace=workspace,
                client_id=data["client_id"],
                refresh_token_lifetime_days=data["refresh_token_lifetime_days"],
                added_by=getattr(self, "added_by", None),
            ),
            access_token=data["new_access_token"],
            refresh_token=data["new_refresh_token"],
        )


class ConnectionForm(PairFields, forms.ModelForm):
    """A connection: its pair (required to add it, blank on edit keeps it), client
    id and refresh-token lifetime. The workspace is chosen on the admin's add
    page, or given (`workspace=`) by the portal's "Connect my AAC account"."""

    field_order = (
        "workspace",
        "new_access_token",
        "new_refresh_token",
        "refresh_token_lifetime_days",
        "client_id",
    )

    class Meta:
        model = Connection
        fields = ("workspace", "client_id", "refresh_token_lifetime_days")

    def __init__(
        self, *args, workspace: Workspace | None = None, added_by=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.added_by = added_by
        self.pair_required = self.instance._state.adding
        if workspace is not None:
            self.instance.workspace = workspace
        if workspace is not None or not self.instance._state.adding:
            self.fields.pop("workspace", None)

    def clean_refresh_token_lifetime_days(self) -> int | None:
        return _check_lifetime(self.cleaned_data["refresh_token_lifetime_days"])

    def clean(self):
        cleaned = super().clean()
        workspace = cleaned.get("workspace") or getattr(
            self.instance, "workspace", None
        )
        self.clean_pair(
            region=workspace.region if workspace else None,
            workspace=workspace,
            connection=None if self.instance._state.adding else self.instance,
        )
        return cleaned

    @sensitive_variables()
    def save(self, commit: bool = True) -> Connection:
        connection = super().save(commit=False)
        if not commit:
            return connection
        data = self.cleaned_data
        with transaction.atomic():
            if connection._state.adding:
                connection.added_by = self.added_by
                return add_connection(
                    connection,
                    access_token=data["new_access_token"],
                    refresh_token=data["new_refresh_token"],
                )
            connection.save(update_fields=("client_id", "refresh_token_lifetime_days"))
            if data.get("new_access_token"):
                store_pasted_tokens(
                    connection,
                    access_token=data["new_access_token"],
                    refresh_token=data["new_refresh_token"],
                )
        return connection
