from django import forms

from lib.zones import zone_names

HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]


class TimezoneForm(forms.Form):
    timezone = forms.ChoiceField(label="Timezone")
    digest = forms.BooleanField(
        label="E-mail me a daily digest of what needs attention",
        required=False,
    )
    digest_hour = forms.TypedChoiceField(
        label="At", choices=HOURS, coerce=int, required=False, empty_value=8
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(n, n) for n in sorted(zone_names())]
