"""Template helpers: times (the viewer's zone and a schedule's own), counts, and
the status line of a sync.

Plain strftime and format() rather than Django's date and intcomma filters,
and the status line built in Python rather than a template: the dashboard
renders a hundred of each, and that made up a third of its time.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from html import escape

from django import template
from django.template.loader import get_template
from django.template.loader_tags import BlockNode
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from lib.zones import zone

register = template.Library()

SHORT = "%Y-%m-%d %H:%M"


@register.simple_tag
def when(value: datetime | None, empty: str = "—"):
    """A <time> in the viewer's timezone, its zone name in the tooltip, and its
    age ("5 min ago", "in 2 h") that static/js/portal.js keeps ticking.

    Built by hand: the parts are digits and an escaped zone name, and pages
    render hundreds of these (format_html costs several times as much).
    """
    if value is None:
        return empty
    tz = timezone.get_current_timezone()
    shown = value.astimezone(tz).strftime(SHORT)
    at = value.isoformat()
    return mark_safe(  # noqa: S308 - digits, and the zone name escaped
        f'<time datetime="{at}" title="{shown} {escape(str(tz))}">{shown}</time>'
        f' <span class="age" data-at="{at}">{age(value, timezone.now())}</span>'
    )


def age(value: datetime, now: datetime) -> str:
    """How long ago or ahead: "just now", "5 min ago", "in 3 h", "2 days ago".

    portal.js words it the same way (its `age`) when it ticks.
    """
    seconds = (value - now).total_seconds()
    size = abs(seconds)
    if size < 45:
        return "just now"
    if size < 90 * 60:
        words = f"{max(1, round(size / 60))} min"
    elif size < 36 * 3600:
        words = f"{round(size / 3600)} h"
    elif size < 60 * 86400:
        days = round(size / 86400)
        words = f"{days} day{'s' * (days != 1)}"
    elif size < 730 * 86400:
        words = f"{round(size / (30 * 86400))} months"
    else:
        words = f"{round(size / (365 * 86400))} years"
    return f"in {words}" if seconds > 0 else f"{words} ago"


@register.filter
def own_time(value: datetime | None, zone_name: str) -> str:
    """The time in the schedule's own timezone, or "" when it has none we know."""
    tz = zone(zone_name)
    if value is None or tz is None:
        return ""
    local = timezone.localtime(value, tz)
    return f"{local.strftime(SHORT)} {local.tzname()}"


@register.filter
def count(value: int | None) -> str:
    """1234567 → "1,234,567"."""
    return f"{value or 0:,}"


@register.filter
def duration(value: timedelta | None) -> str:
    if value is None:
        return ""
    seconds = value.total_seconds()
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s"


@register.simple_tag(takes_context=True)
def schedule_rows(context, rows: Sequence, columns: Sequence) -> SafeString:
    """The rows of the schedules table: each column's cell, in the columns' order.

    The cells' markup is the blocks of pages/_cells.html, each rendered with
    the row as `s`. Rendering them one after the other, rather than looping
    over the columns in the template and choosing each cell's markup there,
    keeps a page of 550 cells as fast as a table written out by hand.
    """
    cells = {
        node.name: node.nodelist
        for node in get_template("pages/_cells.html").template.nodelist
        if isinstance(node, BlockNode)
    }
    # The cell's content in one box: on a phone the cell is a grid of its
    # label and that box.
    opens = [
        format_html('<td data-label="{}" class="{}"><div>', c.label, c.cell)
        for c in columns
    ]
    html = []
    for row in rows:
        with context.push(s=row):
            html.append("<tr>")
            for column, opening in zip(columns, opens, strict=True):
                html += [opening, cells[column.cell].render(context), "</div></td>"]
            html.append("</tr>\n")
    return mark_safe("".join(html))  # noqa: S308 - escaped labels and rendered cells


@register.simple_tag
def sync_status(run, workspace_id: int, oob: bool = False) -> SafeString:
    """The status line of a workspace's latest sync.

    Its id lets the page's poller swap it in place (out of band when `oob`);
    `data-status` tells tests and scripts where the run stands. Every value
    put in is a number, a time from `when`, a choice, or escaped text.
    """
    status = run.status if run else "none"
    swap = ' hx-swap-oob="true"' if oob else ""
    return mark_safe(  # noqa: S308 - see above
        f'<div id="sync-status-{int(workspace_id)}" class="sync-status {status}"'
        f'{swap} data-status="{status}">{_status_line(run)}</div>'
    )


def _status_line(run) -> str:
    if run is None:
        return '<span class="muted">No sync yet.</span>'
    badge = f'<span class="badge {run.status}">{run.get_status_display()}</span>'
    rate_limited = run.error_kind == "rate_limited" and run.retry_at
    retry = (
        f' <span class="muted">Retries at {when(run.retry_at)}.</span>'
        if run.retry_at and not rate_limited
        else ""
    )
    if run.status == "succeeded":
        took = (
            f' <span class="muted">in {duration(run.duration)}</span>'
            if run.started_at
            else ""
        )
        counts = f'<span class="counts">{escape(run.found)}</span>'
        # Some connections could not be read: the run says which.
        note = (
            f' <span class="reason">{escape(run.error_message)}</span>'
            if run.error_message
            else ""
        )
        return f"{badge} {when(run.finished_at)}: {counts}{took}{note}"
    if run.status == "queued":
        reason = f" {_reason(run)}" if run.error_message else ""
        return (
            f'{badge} <span class="muted">{when(run.queued_at)}</span>{reason}{retry}'
        )
    if run.status == "running":
        pages = run.pages_fetched
        fetched = f", {pages} page{'s' * (pages != 1)} fetched" if pages else ""
        return (
            f'{badge} <span class="muted">since {when(run.started_at)}{fetched}</span>'
        )
    at = when(run.finished_at or run.queued_at)
    return f"{badge} {at}: {_reason(run)}{retry}"


def _reason(run) -> str:
    """Why the run failed or waits; AAC's rate limit in the viewer's own time."""
    if run.error_kind == "rate_limited" and run.retry_at:
        text = f"AAC rate limit, retrying at {when(run.retry_at)}"
    else:
        text = escape(run.error_message or run.error_kind or "no reason recorded")
    return f'<span class="reason">{text}</span>'
