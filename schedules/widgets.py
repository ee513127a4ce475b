"""Form widgets of the filters of the tables (`schedules.listing` and the others)."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

SELECTED = mark_safe(" selected")


class ManyOptionsSelect(forms.Select):
    """A select that writes its options in one pass instead of rendering a
    template per option: a workspace filter at a thousand workspaces spent
    half a second of each table page in Django's option templates. The same
    markup (`name`, `id`, each `value`, the selected one), escaped."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option, SELECTED if str(option) in chosen else "", label)
                for option, label in self.choices
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(attrs), options
        )
