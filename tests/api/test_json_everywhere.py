"""Every answer under /api/ is JSON, whatever the path, method or mistake; a repeated or
non-integer parameter is a clear 400."""

from __future__ import annotations

import json

import pytest
from django.test import Client, RequestFactory

from paperfeed.api import errors

pytestmark = pytest.mark.django_db


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert set(body) == {"error"} and body["error"]
    return body


@pytest.mark.parametrize(
    "query, message",
    [
        ("limit=false&limit=", "limit must be given once."),
        ("limit=1&limit=2", "limit must be given once."),
        ("limit=false", "limit must be an integer between 1 and 100."),
        ("limit=1.5", "limit must be an integer between 1 and 100."),
        ("date=2024-10-25&date=2024-10-24", "date must be given once."),
        ("sort=trending&sort=publishedAt", "sort must be given once."),
    ],
)
def test_repeated_and_non_integer_parameters_are_400(client, query, message):
    assert assert_json_error(client.get(f"/api/daily_papers?{query}"), 400) == {"error": message}


def test_a_repeatable_filter_may_repeat(client):
    assert client.get("/api/collections?owner=ada&owner=alan").json() == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/nope",
        "/api/nope%0A",
        "/api/%0A",
        "/api/papers/2410.18693%0A",
        "/api/daily_papers%0A",
        "/api/daily_papers/",
        "/api/papers/2410.18693/",
        "/api/collections/ada/reading/items/x/y",
        "/api/%E2%80%8B",
    ],
)
def test_unknown_paths_are_json_404s(client, path):
    assert assert_json_error(client.get(path), 404) == {"error": "Not found."}
    assert_json_error(client.post(path), 404)


@pytest.mark.parametrize("method", ["BREW", "PUT", "PATCH", "TRACE"])
def test_unknown_methods_are_json_405s(client, method):
    response = client.generic(method, "/api/daily_papers")
    assert assert_json_error(response, 405) == {"error": f"Method {method} not allowed."}
    assert response["Allow"] == "GET, HEAD, OPTIONS"


def test_the_token_forms_answer_other_methods_in_json(client):
    for path in ("/api/tokens/new", "/api/tokens/1/revoke"):
        assert_json_error(client.get(path), 405)


def test_a_refused_host_is_a_json_400_under_api_only():
    refused = Client(HTTP_HOST="not-this-site.example")
    assert_json_error(refused.get("/api/daily_papers"), 400)
    assert "application/json" not in refused.get("/papers")["Content-Type"]


def test_an_unexpected_error_is_a_json_500_under_api_only():
    # No route fails on purpose, so the handler the URLconf names is called as Django calls it.
    factory = RequestFactory()
    assert_json_error(errors.server_error(factory.get("/api/daily_papers")), 500)
    assert errors.server_error(factory.get("/papers"))["Content-Type"].startswith("text/html")
