"""The OpenAPI schema is generated from the code, valid, and documents every
endpoint; its docs page comes from the project's static files, within the CSP."""

import re

import pytest
import yaml
from django.urls import reverse
from drf_spectacular.validation import validate_schema

from tests.aacportal.test_url_access import API
from tests.api.calls import api_client
from tests.factories import make_token


@pytest.fixture
def schema(world) -> dict:
    response = api_client(make_token(world.carol)[1]).get(reverse("api:schema"))
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_it_documents_every_api_v1_url(schema):
    documented = {re.sub(r"\{\w+\}", "<>", path) for path in schema["paths"]}
    routes = {
        "/" + re.sub(r"<[^>]+>", "<>", route)
        for route in API
        if route.startswith("api/v1/")
    }
    assert routes == documented


def test_it_names_the_bearer_token_scheme(schema):
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": (
            "A personal API token (aacp_...), made on the portal's API tokens page."
        ),
    }


def test_the_docs_page_loads_nothing_from_elsewhere_and_nothing_inline(login, world):
    response = login(world.carol).get(reverse("api:docs"))
    assert response.status_code == 200
    page = response.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources
    assert all(source.startswith("/") for source in sources), sources
    assert "<style" not in page
    assert re.search(r"<script>", page) is None
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp


def test_the_docs_script_is_served_apart_for_the_csp(login, world):
    client = login(world.carol)
    page = client.get(reverse("api:docs")).text
    script = re.search(r'<script src="(/api/docs/\?[^"]*script=[^"]*)"', page)[1]
    response = client.get(script.replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in response.text
