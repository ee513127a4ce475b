from django import forms

from lib.zones import zone_names


class TimezoneForm(forms.Form):
    timezone = forms.ChoiceField(label="Timezone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(n, n) for n in sorted(zone_names())]
