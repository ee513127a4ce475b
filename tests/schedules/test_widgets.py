"""The filters' select of many options writes what Django's Select writes."""

from django import forms

from schedules.widgets import ManyOptionsSelect


class Form(forms.Form):
    workspace = forms.TypedChoiceField(
        required=False,
        coerce=int,
        choices=[("", "All"), (1, "Acme <EU>"), (2, 'Globex "US"')],
        widget=ManyOptionsSelect,
    )


def test_it_marks_the_chosen_option_and_escapes_every_name():
    html = str(Form({"workspace": "2"})["workspace"])

    assert html.startswith('<select name="workspace" id="id_workspace">')
    assert '<option value="">All</option>' in html
    assert '<option value="1">Acme &lt;EU&gt;</option>' in html
    assert '<option value="2" selected>Globex &quot;US&quot;</option>' in html
    assert html.count("selected") == 1


def test_it_writes_what_djangos_select_writes():
    for data in ({}, {"workspace": ""}, {"workspace": "1"}):
        ours = Form(data)["workspace"]
        theirs = ours.as_widget(forms.Select(choices=ours.field.choices))
        assert str(ours) == theirs.replace("\n", "").replace("  <", "<"), data
