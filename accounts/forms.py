from django import forms

from accounts.preferences import timezone_names


class TimezoneForm(forms.Form):
    timezone = forms.ChoiceField(label="Timezone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(n, n) for n in sorted(timezone_names())]
