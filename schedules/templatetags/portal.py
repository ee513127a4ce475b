"""Template helpers for showing times: in the viewer's zone and a schedule's own."""

from datetime import datetime, timedelta

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html

from schedules.tables import schedule_zone

register = template.Library()

SHORT = "Y-m-d H:i"


@register.simple_tag
def when(value: datetime | None, empty: str = "—"):
    """A <time> in the viewer's timezone, its zone name in the tooltip."""
    if value is None:
        return empty
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        dateformat.format(local, f"{SHORT} e"),
        dateformat.format(local, SHORT),
    )


@register.filter
def own_time(value: datetime | None, zone_name: str) -> str:
    """The time in the schedule's own timezone, or "" when it has none we know."""
    tz = schedule_zone(zone_name)
    if value is None or tz is None:
        return ""
    return dateformat.format(timezone.localtime(value, tz), f"{SHORT} T")


@register.filter
def duration(value: timedelta | None) -> str:
    if value is None:
        return ""
    seconds = value.total_seconds()
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s"
