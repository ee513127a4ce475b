"""The tokens page's form: a new token's name, lifetime and read-only flag."""

from datetime import datetime, timedelta

from django import forms

LIFETIMES = [
    ("30", "30 days"),
    ("90", "90 days"),
    ("365", "One year"),
    ("", "No expiry"),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What it is for, e.g. “nightly failure report”."
    )
    lifetime = forms.ChoiceField(
        label="Expires", choices=LIFETIMES, initial="90", required=False
    )
    read_only = forms.BooleanField(
        label="Read-only",
        required=False,
        initial=True,
        help_text="It can read everything you can see and change nothing.",
    )

    def expires_at(self, *, now: datetime) -> datetime | None:
        days = self.cleaned_data["lifetime"]
        return now + timedelta(days=int(days)) if days else None
