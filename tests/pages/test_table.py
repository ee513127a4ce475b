"""The schedules table: search, filters, sorting on every column, pages, CSV."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from accounts.models import Profile
from pages.tables import PAGE_SIZE, TABLE_COLUMNS
from schedules.models import TaskKind, TriggerKind
from tests.factories import make_schedule, make_schedules

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def names(response) -> list[str]:
    return [s.name for s in response.context["table"].rows]


def csv_rows(client, query="") -> list[dict]:
    response = client.get(f"{reverse('pages:schedules_csv')}?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def rows(world):
    """Four schedules in Acme that differ in every filtered column."""
    return [
        make_schedule(
            world.acme,
            name="Nightly sales",
            task_kind=TaskKind.PLAN,
            trigger_kind=TriggerKind.CRON,
            target_name="Sales plan",
            owner_name="Ann",
            owner_email="ann@x.test",
            enabled=True,
            next_run_at=T0 + timedelta(hours=3),
        ),
        make_schedule(
            world.acme,
            name="Hourly stock",
            task_kind=TaskKind.FLOW,
            trigger_kind=TriggerKind.HOURLY,
            target_name="Stock flow",
            owner_name="Ben",
            owner_email="ben@x.test",
            owner_disabled=True,
            enabled=True,
            next_run_at=T0 + timedelta(hours=1),
        ),
        make_schedule(
            world.acme,
            name="Weekly report",
            task_kind=TaskKind.WORKFLOW,
            trigger_kind=TriggerKind.WEEKLY,
            target_name="Report workflow",
            owner_name="Ann",
            owner_email="ann@x.test",
            enabled=False,
            disable_reason="Disabled by Ann: the report moved",
            next_run_at=None,
            note="2 tasks; the target shown is the first's",
        ),
        make_schedule(
            world.acme,
            name="Archive",
            task_kind=TaskKind.OTHER,
            trigger_kind=TriggerKind.UNKNOWN,
            owner_name="",
            owner_email="",
            enabled=True,
            next_run_at=T0 + timedelta(hours=2),
        ),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Archive", "Hourly stock", "Nightly sales", "Weekly report"]),
        ("q=sales", ["Nightly sales"]),
        ("q=STOCK+FLOW", ["Hourly stock"]),
        ("q=ann%40x", ["Nightly sales", "Weekly report"]),
        ("owner=ann%40x.test", ["Nightly sales", "Weekly report"]),
        ("task=flow", ["Hourly stock"]),
        ("trigger=weekly", ["Weekly report"]),
        ("enabled=no", ["Weekly report"]),
        ("enabled=yes&owner_disabled=yes", ["Hourly stock"]),
        ("owner_disabled=no&task=plan", ["Nightly sales"]),
        ("q=nothing-matches", []),
    ],
)
def test_it_searches_and_filters(login, rows, world, query, expected):
    response = login(world.bob).get(f"{reverse('pages:schedules')}?{query}")
    assert names(response) == expected


def test_it_filters_by_workspace(login, rows, world):
    make_schedule(world.globex, name="Globex job")
    url = reverse("pages:schedules")
    assert names(login(world.alice).get(f"{url}?workspace={world.globex.pk}")) == [
        "Globex job"
    ]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Archive", "Hourly stock", "Nightly sales", "Weekly report"]),
        ("-name", ["Weekly report", "Nightly sales", "Hourly stock", "Archive"]),
        ("next", ["Hourly stock", "Archive", "Nightly sales", "Weekly report"]),
        # No next run counts as the latest.
        ("-next", ["Weekly report", "Nightly sales", "Archive", "Hourly stock"]),
        ("task", ["Hourly stock", "Archive", "Nightly sales", "Weekly report"]),
        ("owner", ["Archive", "Nightly sales", "Weekly report", "Hourly stock"]),
        # Ties go by id, in the direction of the sort.
        ("-enabled", ["Archive", "Hourly stock", "Nightly sales", "Weekly report"]),
        ("-owner_disabled", ["Hourly stock", "Archive", "Weekly report"]),
    ],
)
def test_it_sorts(login, rows, world, sort, expected):
    response = login(world.bob).get(f"{reverse('pages:schedules')}?sort={sort}")
    assert names(response)[: len(expected)] == expected


@pytest.mark.parametrize("column", TABLE_COLUMNS, ids=lambda c: c.sort)
def test_it_sorts_on_every_column_both_ways(login, world, column):
    make_schedules(world.acme, 30, now=T0)
    client = login(world.bob)
    url = reverse("pages:schedules")
    up = client.get(f"{url}?sort={column.sort}").context["table"].rows
    down = client.get(f"{url}?sort=-{column.sort}").context["table"].rows
    key = column.attr
    values = [getattr(s, key) for s in up]
    present = [v for v in values if v is not None]
    assert present == sorted(present)
    assert values[len(present) :] == [None] * (len(values) - len(present))
    values = [getattr(s, key) for s in down]
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=True)
    assert values[: len(values) - len(present)] == [None] * (len(values) - len(present))


def test_it_shows_the_cells_of_the_table_columns_in_their_order(login, rows, world):
    text = login(world.bob).get(reverse("pages:schedules")).text
    row = text[text.index("<tbody>") : text.index("</tr>", text.index("<tbody>"))]
    labels = re.findall(r'<td data-label="([^"]+)" class="(\w+)">', row)
    assert labels == [(c.label, c.cell) for c in TABLE_COLUMNS]


def test_it_writes_the_csv_with_the_columns_of_the_table_and_more(login, rows, world):
    header = next(
        csv.reader(
            io.StringIO(
                login(world.bob)
                .get(reverse("pages:schedules_csv"))
                .getvalue()
                .decode("utf-8-sig")
            )
        )
    )
    shown = [column.label for column in TABLE_COLUMNS]
    assert [label for label in header if label in shown] == shown
    assert len(header) > len(shown)


def test_it_marks_the_sorted_column_and_links_the_other_way(login, rows, world):
    text = (
        login(world.bob).get(f"{reverse('pages:schedules')}?sort=next&task=plan").text
    )
    assert 'aria-sort="ascending" data-column="next"' in text
    assert 'href="?sort=-next&amp;task=plan"' in text


def test_it_pages_by_cursor_and_keeps_the_filters_in_the_links(login, world):
    make_schedules(world.acme, PAGE_SIZE * 3 + 5, now=T0)
    client = login(world.bob)
    first = client.get(f"{reverse('pages:schedules')}?enabled=yes")
    table = first.context["table"]
    assert table.first_page
    assert len(table.rows) == PAGE_SIZE
    assert table.next_query.startswith("enabled=yes&after=")
    assert f'href="?{table.next_query}"' in first.text.replace("&amp;", "&")
    second = client.get(f"{reverse('pages:schedules')}?{table.next_query}")
    table = second.context["table"]
    assert not table.first_page
    assert len(table.rows) == PAGE_SIZE
    assert all(s.enabled for s in table.rows)
    assert 'href="?enabled=yes">« First page' in second.text


@pytest.mark.parametrize("sort", ["name", "-next", "owner", "-workspace", "last"])
def test_its_pages_list_every_row_once_in_the_order_of_the_sort(login, world, sort):
    make_schedules(world.acme, PAGE_SIZE * 2 + 7, now=T0)
    client = login(world.bob)
    url = f"{reverse('pages:schedules')}?sort={sort}"
    whole = [s.id for s in client.get(url).context["table"].rows]
    listed, query = [], f"sort={sort}"
    while query:
        table = client.get(f"{reverse('pages:schedules')}?{query}").context["table"]
        listed += [s.id for s in table.rows]
        query = table.next_query
    assert len(listed) == len(set(listed)) == PAGE_SIZE * 2 + 7
    assert listed[:PAGE_SIZE] == whole


def test_it_counts_a_search_only_when_its_first_page_holds_every_match(login, world):
    make_schedules(world.acme, PAGE_SIZE + 1, now=T0)
    client = login(world.bob)
    broad = client.get(f"{reverse('pages:schedules')}?q=schedule")
    assert broad.context["table"].counted is None
    assert f"{PAGE_SIZE} schedules on this page, more match" in broad.text
    narrow = client.get(f"{reverse('pages:schedules')}?q=schedule 0001")
    assert "schedules on this page" not in narrow.text
    assert narrow.context["table"].counted == len(narrow.context["table"].rows)


def test_it_counts_up_to_a_bound_and_says_more_than_beyond(login, world, monkeypatch):
    make_schedules(world.acme, 12, now=T0)
    monkeypatch.setattr("pages.tables.COUNTED_AT_MOST", 10)
    response = login(world.bob).get(reverse("pages:schedules"))
    assert "More than 10 schedules" in response.text
    monkeypatch.setattr("pages.tables.COUNTED_AT_MOST", 12)
    response = login(world.bob).get(reverse("pages:schedules"))
    assert "12 schedules" in response.text


@pytest.mark.parametrize(
    "query",
    [
        "page=zzz",
        "after=zzz",
        "after=WzEsMl0",
        "sort=raw",
        "enabled=maybe",
        "workspace=abc",
        "task=x",
    ],
)
def test_it_ignores_invalid_parameters(login, rows, world, query):
    response = login(world.bob).get(f"{reverse('pages:schedules')}?{query}")
    assert response.status_code == 200
    assert len(names(response)) >= 1


def test_it_shows_next_runs_in_the_viewers_and_the_schedules_timezone(login, world):
    Profile.objects.create(user=world.bob, timezone="America/New_York")
    make_schedule(world.acme, next_run_at=T0, timezone="Asia/Tokyo")
    text = login(world.bob).get(reverse("pages:schedules")).text
    assert "2026-03-02 07:00" in text  # New York, EST
    assert "2026-03-02 21:00 JST there" in text


def test_it_survives_a_schedule_without_timezone_or_with_an_unknown_one(login, world):
    make_schedule(world.acme, next_run_at=T0, timezone="")
    make_schedule(world.acme, next_run_at=T0, timezone="Mars/Olympus")
    make_schedule(world.acme, name="ünïcödé 名前 " * 20, owner_name="", raw={})
    response = login(world.bob).get(reverse("pages:schedules"))
    assert response.status_code == 200
    assert len(csv_rows(login(world.bob))) == 3


# A search's page is looked for along the sort's index up to the PROBED-th
# row, then among every match: each way lists the same rows.
@pytest.mark.parametrize("probed", [5, 60, 20_000])
def test_it_exports_exactly_the_filtered_rows_in_the_tables_order(
    login, rows, world, monkeypatch, probed
):
    monkeypatch.setattr("pages.tables.PROBED", probed)
    make_schedules(world.acme, 120, start_id=100, now=T0)
    client = login(world.bob)
    query = "enabled=yes&sort=-next&q=schedule"
    listed, pages, following = [], 0, query
    while following:
        table = client.get(f"{reverse('pages:schedules')}?{following}").context["table"]
        listed += [s.name for s in table.rows]
        following, pages = table.next_query, pages + 1
    assert pages > 1
    exported = csv_rows(client, query)
    assert [row["Schedule name"] for row in exported] == listed


def test_it_exports_the_columns_of_the_table(login, rows, world):
    Profile.objects.create(user=world.bob, timezone="Europe/Paris")
    exported = {r["Schedule name"]: r for r in csv_rows(login(world.bob))}
    row = exported["Hourly stock"]
    assert row["Workspace"] == "Acme EU"
    assert row["Type"] == "Flow"
    assert row["Workflow / plan"] == "Stock flow"
    assert row["Trigger"] == "Hourly"
    assert row["Owner"] == "Ben"
    assert row["Owner e-mail"] == "ben@x.test"
    assert row["Owner disabled"] == "yes"
    assert row["Enabled"] == "yes"
    assert row["Next run"] == "2026-03-02T14:00:00+01:00"
    weekly = exported["Weekly report"]
    assert weekly["Next run"] == ""
    assert weekly["AAC id"] == "3"
    assert weekly["Open in AAC"] == "https://eu1.alteryxcloud.com/schedules/3"
    assert weekly["Disable reason"] == "Disabled by Ann: the report moved"
    assert weekly["Parser note"] == "2 tasks; the target shown is the first's"


def test_it_shows_the_aac_id_its_link_disable_reasons_and_notes_in_words(
    login, rows, world
):
    html = login(world.bob).get(reverse("pages:schedules")).text
    weekly = re.search(r"<tr>(?:(?!</tr>).)*Weekly report.*?</tr>", html, re.S).group(0)
    assert "AAC id 3" in weekly
    assert 'href="https://eu1.alteryxcloud.com/schedules/3"' in weekly
    assert "Disabled by Ann: the report moved</span>" in weekly
    assert "2 tasks; the target shown is the first&#x27;s</span>" in weekly
    assert "Report workflow" in weekly  # the target, under its type
    hourly = re.search(r"<tr>(?:(?!</tr>).)*Hourly stock.*?</tr>", html, re.S).group(0)
    assert "owner disabled</span>" in hourly
    assert "fails when it fires: its owner is disabled" in hourly


def test_it_shows_nine_columns_and_a_sort_menu_that_keeps_the_filters(
    login, rows, world
):
    response = login(world.bob).get(
        f"{reverse('pages:schedules')}?task=plan&sort=-next"
    )
    html = response.text
    headers = re.findall(r'<th scope="col"[^>]*data-column="(\w+)"', html)
    assert headers == [
        "name",
        "workspace",
        "task",
        "schedule",
        "next",
        "last",
        "owner",
        "enabled",
        "updated",
    ]
    menu = re.search(r'<form[^>]*id="sort-form".*?</form>', html, re.S).group(0)
    assert '<input type="hidden" name="task" value="plan">' in menu
    assert '<option value="-next" selected>Next run, descending</option>' in menu


def test_it_exports_a_workspace_page_table_with_its_workspace(login, rows, world):
    make_schedule(world.globex, name="Globex job")
    page = login(world.alice).get(
        f"{reverse('pages:workspace', args=[world.acme.pk])}?task=plan"
    )
    csv_url = page.context["table"].csv_url
    assert f"workspace={world.acme.pk}" in csv_url
    exported = login(world.alice).get(csv_url)
    text = b"".join(exported.streaming_content).decode("utf-8-sig")
    assert [r["Schedule name"] for r in csv.DictReader(io.StringIO(text))] == [
        "Nightly sales"
    ]


def test_it_names_the_timezone_once_beside_the_plain_words(login, world):
    make_schedule(
        world.acme, description="Every day at 09:00, Asia/Tokyo", timezone="Asia/Tokyo"
    )
    make_schedule(
        world.acme, description="At minute 0 of every hour", timezone="Europe/Paris"
    )
    text = login(world.bob).get(reverse("pages:schedules")).text
    assert "(Asia/Tokyo)" not in text
    assert "(Europe/Paris)" in text
