"""The workspace form the admin and `services.register_workspace` share.

Tokens are write-only: password inputs that never render a value, blank on
edit keeps the stored pair, and a pasted pair goes to the database only
through `tokens.store_pasted_tokens`. Everything else is saved with
`update_fields=Workspace.EDITABLE_FIELDS` (docs/reliability.md rule 3).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from aac import parse_access_token
from workspaces.models import Workspace
from workspaces.tokens.pasted import (
    check_pasted_token,
    check_token_fits,
    store_pasted_tokens,
)

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


class WorkspaceForm(forms.ModelForm):
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

    class Meta:
        model = Workspace
        fields = Workspace.EDITABLE_FIELDS

    def clean_refresh_token_lifetime_days(self) -> int | None:
        days = self.cleaned_data["refresh_token_lifetime_days"]
        if days is not None and not 1 <= days <= 365:
            raise ValidationError("AAC offers lifetimes of 1 to 365 days.")
        return days

    def clean_new_access_token(self) -> str:
        return self._clean_token("new_access_token")

    def clean_new_refresh_token(self) -> str:
        return self._clean_token("new_refresh_token")

    def _clean_token(self, name: str) -> str:
        value = self.cleaned_data[name]
        if value == "":
            return value  # blank: required on add, "keep the stored one" on edit
        return check_pasted_token(value, label=str(self.fields[name].label))

    def clean(self):
        cleaned = super().clean()
        access = cleaned.get("new_access_token")
        refresh = cleaned.get("new_refresh_token")
        for name in TOKEN_FIELDS:
            if name in self.errors or cleaned.get(name):
                continue
            label = self.fields[name].label
            if self.instance._state.adding:
                self.add_error(name, f"{label}: paste the token.")
            elif access or refresh:
                self.add_error(name, f"{label}: paste both tokens of the new pair.")
        if access and refresh and access == refresh:
            self.add_error(
                "new_refresh_token",
                "Refresh token: this is the access token again; paste the refresh "
                "token of the pair.",
            )
        if access and cleaned.get("region"):
            try:
                check_token_fits(
                    access, region=cleaned["region"], aac_gid=self.instance.aac_gid
                )
            except ValidationError as exc:
                self.add_error("new_access_token", exc)
        return cleaned

    @property
    def pasted_opaque_token(self) -> bool:
        """True when a valid pasted access token is not a JWT (expiry unknown)."""
        access = self.is_valid() and self.cleaned_data.get("new_access_token")
        return bool(access) and parse_access_token(access) is None

    def save(self, commit: bool = True) -> Workspace:
        workspace = super().save(commit=False)
        if not commit:
            return workspace
        with transaction.atomic():
            if workspace._state.adding:
                workspace.save()
            else:
                workspace.save(update_fields=Workspace.EDITABLE_FIELDS)
            if self.cleaned_data.get("new_access_token"):
                store_pasted_tokens(
                    workspace,
                    access_token=self.cleaned_data["new_access_token"],
                    refresh_token=self.cleaned_data["new_refresh_token"],
                )
        return workspace
