"""docs/alert-rules.yml alerts only on metrics /metrics answers."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from tests.attention.world import SCENARIOS, evaluate
from tests.factories import make_schedule, make_workspace

RULES_FILE = Path(__file__).resolve().parents[2] / "docs" / "alert-rules.yml"


@pytest.mark.django_db
def test_every_metric_the_sample_alerts_use_is_answered(client, settings):
    settings.AAC_METRICS_TOKEN = "t"
    acme = make_workspace("Acme EU")
    make_schedule(acme)
    SCENARIOS["owner_disabled"][0](acme)
    evaluate(acme)
    response = client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer t")
    families = text_string_to_metric_families(response.content.decode())
    answered = {family.name for family in families}

    used = set(re.findall(r"\b(aac_[a-z0-9_]+)", RULES_FILE.read_text()))

    assert used
    assert used <= answered
