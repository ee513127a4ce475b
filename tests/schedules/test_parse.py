"""AAC schedule JSON → column values: strict, and never a crash."""

import copy
import random
from datetime import UTC, datetime

import pytest

from aacsim.data import make_people, make_schedule
from schedules.models import Schedule, TaskKind, TriggerKind
from schedules.parse import fingerprint, parse_schedule

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)


def schedule(**changes) -> dict:
    """A schedule as the published model describes it (docs/aac-api.md, Schedules)."""
    raw = {
        "id": 4711,
        "name": "Nightly sales refresh",
        "enabled": False,
        "disableReason": "Owner is disabled",
        "triggers": [
            {
                "id": 1,
                "timeBased": {
                    "daily": {"hourOfDay": 2, "minuteOfHour": 30},
                    "timezone": "Europe/Paris",
                },
                "lastExecutionTime": "2026-03-27T01:30:00.000Z",
            }
        ],
        "tasks": [{"id": 9, "runFlow": {"flowId": 123, "name": "Sales flow"}}],
        "createdAt": "2025-03-01T10:00:00.000Z",
        "updatedAt": "2025-03-02T11:00:00.000Z",
        "createdBy": 7,
        "creator": {
            "id": 7,
            "email": "zoe.martin@example.com",
            "name": "Zoë Martin",
            "isDisabled": True,
            "state": "disabled",
        },
    }
    raw.update(changes)
    return raw


def test_it_reads_every_column_of_a_well_formed_schedule():
    parsed = parse_schedule(schedule(), now=NOW)

    assert parsed.aac_id == 4711
    assert parsed.problems == ()
    assert parsed.fields == {
        "name": "Nightly sales refresh",
        "enabled": False,
        "disable_reason": "Owner is disabled",
        "aac_created_at": datetime(2025, 3, 1, 10, 0, tzinfo=UTC),
        "aac_updated_at": datetime(2025, 3, 2, 11, 0, tzinfo=UTC),
        "raw": schedule(),
        "trigger_kind": TriggerKind.DAILY,
        "cron": "30 2 * * *",
        "timezone": "Europe/Paris",
        "description": "Every day at 02:30, Europe/Paris",
        # 29 March has no 02:30 in Paris (spring forward).
        "next_run_at": datetime(2026, 3, 30, 0, 30, tzinfo=UTC),
        "last_execution_at": datetime(2026, 3, 27, 1, 30, tzinfo=UTC),
        "task_kind": TaskKind.FLOW,
        "target_id": "123",
        "target_name": "Sales flow",
        "owner_id": "7",
        "owner_name": "Zoë Martin",
        "owner_email": "zoe.martin@example.com",
        "owner_disabled": True,
        "note": "",
        "unparsed": False,
    }


@pytest.mark.parametrize(
    ("task", "kind", "target_id"),
    [
        ({"runPlan": {"planId": 5, "name": "P"}}, TaskKind.PLAN, "5"),
        (
            {"runWorkflow": {"workflowId": "01HZX8J3K9", "name": "P", "type": "CLOUD"}},
            TaskKind.WORKFLOW,
            "01HZX8J3K9",
        ),
        ({"runReport": {"reportId": 8, "name": "P"}}, TaskKind.REPORT, "8"),
        (
            {"runAutoInsights": {"missionId": 3, "name": "P"}},
            TaskKind.AUTO_INSIGHTS,
            "3",
        ),
        (
            {"runLocationIntelligence": {"projectId": "01J", "name": "P"}},
            TaskKind.LOCATION_INTELLIGENCE,
            "01J",
        ),
    ],
)
def test_it_reads_each_task_kind_and_its_target(task, kind, target_id):
    parsed = parse_schedule(schedule(tasks=[{"id": 1, **task}]), now=NOW)

    assert parsed.fields["task_kind"] == kind
    assert parsed.fields["target_id"] == target_id
    assert parsed.fields["target_name"] == "P"
    assert parsed.problems == ()


def test_it_keeps_an_unknown_task_kind_as_other_and_counts_it():
    task = {"id": 1, "runMachineLearningPipeline": {"pipelineId": "01J", "name": "M"}}
    parsed = parse_schedule(schedule(tasks=[task]), now=NOW)

    assert parsed.fields["task_kind"] == TaskKind.OTHER
    assert parsed.fields["target_id"] == "01J"
    assert parsed.problems == ("an unknown task kind 'runMachineLearningPipeline'",)
    assert "runMachineLearningPipeline" in parsed.fields["note"]


def test_it_keeps_an_unknown_trigger_kind_with_its_raw_json():
    raw = schedule(triggers=[{"id": 1, "eventBased": {"topic": "files.ready"}}])
    parsed = parse_schedule(raw, now=NOW)

    assert parsed.fields["trigger_kind"] == TriggerKind.UNKNOWN
    assert parsed.fields["next_run_at"] is None
    assert parsed.fields["raw"] == raw
    assert parsed.problems == ("AAC sent an unknown kind of trigger (eventBased)",)


def test_it_stores_a_schedule_without_owner():
    raw = schedule()
    del raw["creator"]
    parsed = parse_schedule(raw, now=NOW)

    assert parsed.fields["owner_id"] == "7"  # from createdBy
    assert parsed.fields.get("owner_name", "") == ""
    assert parsed.problems == ()


def test_it_keeps_unicode_and_shortens_what_does_not_fit_its_column():
    name = "日次レポート " + "Ü" * 600
    parsed = parse_schedule(schedule(name=name), now=NOW)
    limit = Schedule._meta.get_field("name").max_length

    assert len(parsed.fields["name"]) == limit
    assert parsed.fields["name"].startswith("日次レポート ÜÜ")
    assert parsed.fields["name"].endswith("…")
    assert parsed.fields["raw"]["name"] == name


def test_it_keeps_a_huge_cron_shortened_and_counts_it():
    expression = " ".join(",".join(map(str, range(60))) for _ in range(5))
    trigger = {"id": 1, "timeBased": {"cron": {"expression": expression}}}
    parsed = parse_schedule(schedule(triggers=[trigger]), now=NOW)

    assert len(parsed.fields["cron"]) == Schedule._meta.get_field("cron").max_length
    assert parsed.fields["next_run_at"] is None
    assert "too long" in parsed.problems[0]


def test_it_takes_the_earliest_next_run_of_several_triggers():
    hourly = {"id": 2, "timeBased": {"hourly": {"minuteOfHour": 5}, "timezone": "UTC"}}
    raw = schedule()
    raw["triggers"].append(hourly)
    parsed = parse_schedule(raw, now=NOW)

    assert parsed.fields["trigger_kind"] == TriggerKind.DAILY
    assert parsed.fields["next_run_at"] == datetime(2026, 3, 28, 12, 5, tzinfo=UTC)
    assert parsed.fields["description"] == (
        "Every day at 02:30, Europe/Paris; Every hour at :05, UTC"
    )
    assert "2 triggers" in parsed.fields["note"]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"enabled": "yes"}, "enabled is str; shown as enabled"),
        ({"name": None}, "name is missing, not text"),
        ({"name": 5}, "name is int, not text"),
        ({"createdAt": "yesterday"}, "createdAt is not a date"),
        ({"triggers": []}, "no triggers"),
        ({"triggers": "daily"}, "no triggers"),
        ({"tasks": None}, "no tasks"),
    ],
)
def test_it_stores_a_schedule_with_wrong_types_and_says_what_was_wrong(
    changes, problem
):
    parsed = parse_schedule(schedule(**changes), now=NOW)

    assert parsed is not None
    assert parsed.problems[0].startswith(problem)


@pytest.mark.parametrize("raw", [None, [], "4711", {}, {"id": "4711"}, {"id": True}])
def test_it_gives_up_on_an_item_without_a_usable_id(raw):
    assert parse_schedule(raw, now=NOW) is None


def test_its_fingerprint_follows_content_not_key_order():
    raw = schedule()
    reordered = dict(reversed(list(raw.items())))
    renamed = schedule(name="Renamed")

    assert fingerprint(raw) == fingerprint(reordered)
    assert fingerprint(raw) != fingerprint(renamed)


def test_it_survives_hundreds_of_randomly_damaged_schedules():
    rng = random.Random(4)
    people = make_people(rng, count=5, workspace_id=1)
    junk = [None, True, -1, 2**70, 1.5, "", "x" * 300, [], {}, [1, "a"], {"a": 1}]
    for n in range(400):
        raw = make_schedule(
            rng,
            schedule_id=n + 1,
            position=n,
            workspace_id=1,
            people=people,
            oddities=True,
        )
        damaged = copy.deepcopy(raw)
        for _ in range(3):
            _damage(damaged, rng, junk)
        parsed = parse_schedule(damaged, now=NOW)
        if parsed is not None:
            assert parsed.fields["raw"] is damaged
            Schedule(workspace_id=1, aac_id=parsed.aac_id, **parsed.fields)


def _damage(value, rng, junk):
    """Replace one value somewhere inside a JSON document with junk."""
    while True:
        keys = list(value) if isinstance(value, dict) else range(len(value))
        if not keys:
            return
        key = rng.choice(list(keys))
        inner = value[key]
        if isinstance(inner, dict | list) and inner and rng.random() < 0.7:
            value = inner
            continue
        value[key] = copy.deepcopy(rng.choice(junk))
        return
