"""AAC_ATTENTION_RULES is checked at start-up: a typo does not pass silently."""

import pytest

from attention.checks import check_rule_settings


def ids(settings, value) -> list[str]:
    settings.AAC_ATTENTION_RULES = value
    return [error.id for error in check_rule_settings()]


def test_it_accepts_switches_and_thresholds(settings):
    value = {"duplicate_schedule": {"enabled": False}, "failing_schedule": {"runs": 3}}

    assert ids(settings, value) == []


def test_it_names_an_unknown_rule(settings):
    assert ids(settings, {"failing_schedules": {"runs": 3}}) == ["attention.E001"]


@pytest.mark.parametrize(
    "values",
    [
        {"run": 3},
        {"runs": 0},
        {"runs": "3"},
        {"runs": True},
        {"enabled": "no"},
        "off",
    ],
)
def test_it_refuses_a_setting_the_rule_has_not_or_a_bad_value(settings, values):
    assert ids(settings, {"failing_schedule": values}) == ["attention.E002"]
