"""The OpenAPI document is valid (openapi-spec-validator), matches the routes, gives every
parameter bounds and an example, and schemathesis finds no 5xx and no response that breaks its
schema: every operation with its examples (which name real sample papers and a collection the
fixture makes) and ~15 generated requests each (on SQLite: see _generated_cases_here), in-process
via WSGI."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import schemathesis
from hypothesis import strategies
from openapi_spec_validator import validate
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import URLPattern, get_resolver
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from paperfeed.api import openapi
from paperfeed.api.serializers import object_id

from .conftest import auth

# The account settings page's form posts: HTML pages of the site, not API operations.
NOT_API = {"api-token-create", "api-token-revoke", "api-not-found"}


def api_routes() -> set[str]:
    api = next(p for p in get_resolver().url_patterns if getattr(p, "app_name", None) is None and str(p.pattern) == "api/")
    routes = set()
    for pattern in api.url_patterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name not in NOT_API:
            path = str(pattern.pattern)
            for converter, name in (("arxiv", "arxiv_id"), ("str", "slug"), ("str", "owner"), ("slug", "slug"),
                                    ("str", "item_id")):
                path = path.replace(f"<{converter}:{name}>", f"{{{name}}}")
            routes.add(f"/api/{path}")
    return routes


def test_every_route_is_described_and_nothing_else():
    assert api_routes() == set(openapi.PATHS)


def test_the_served_document_is_valid_openapi(client, db):
    served = client.get("/api/openapi.json").json()
    validate(served)  # raises, naming the first mistake
    assert served["servers"] == [{"url": "/", "description": "This paperfeed site."}]


def _fields(schema: dict, where: str):
    """(where, schema) of every value a client sends: nested objects' properties too."""
    if schema.get("type") == "object":
        for name, field in schema.get("properties", {}).items():
            yield from _fields(field, f"{where}.{name}")
    if schema.get("type") == "array":
        yield from _fields(schema["items"], where)
    else:
        yield where, schema


def _sent_values():
    for path, methods in openapi.PATHS.items():
        for method, op in methods.items():
            for parameter in op.get("parameters", []):
                label = f"{method.upper()} {path} {parameter['name']}"
                assert "example" in parameter, f"{label}: no example"
                yield from _fields(parameter["schema"], label)
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                assert "example" in body, f"{method.upper()} {path}: the body has no example"
                for name, field in body["schema"]["properties"].items():
                    yield from _fields(field, f"{method.upper()} {path} body.{name}")


def test_every_parameter_and_body_field_has_bounds_and_an_example():
    checked = 0
    for label, schema in _sent_values():
        checked += 1
        if schema.get("type") != "object":
            assert "example" in schema, f"{label}: no example"
        if schema.get("type") == "string":
            assert "enum" in schema or ("pattern" in schema and "maxLength" in schema), f"{label}: unbounded text"
        elif schema.get("type") == "integer":
            assert {"minimum", "maximum"} <= set(schema), f"{label}: unbounded integer"
        else:
            assert schema.get("type") in ("boolean", "object"), f"{label}: {schema}"
    assert checked > 40


def test_the_examples_fit_their_own_schemas():
    import re

    for label, schema in _sent_values():
        example = schema.get("example")
        if "pattern" in schema:
            assert re.search(schema["pattern"], example), f"{label}: {example!r} does not match its pattern"
            assert schema.get("minLength", 0) <= len(example) <= schema["maxLength"], label
        if "enum" in schema:
            assert example in schema["enum"], label
        if schema.get("type") == "integer":
            assert schema["minimum"] <= example <= schema["maximum"], label


def test_the_document_is_served_and_the_docs_page_lists_it(client, db):
    assert client.get("/api/openapi.json").json() == openapi.spec()
    page = client.get("/api/docs").content.decode()
    for op in openapi.operations():
        assert f"<code>{op['method'].upper()} {op['path']}</code>" in page
    assert "<script src=\"http" not in page


class _EmptyArxiv(BaseHTTPRequestHandler):
    """arXiv's answer for an id it does not know (recorded): submit/index never go online."""

    body = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/atom+xml")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def empty_arxiv(shared_dir, settings):
    _EmptyArxiv.body = next((shared_dir / "fixtures/arxiv-api").glob("id_0000.0000_*.xml")).read_bytes()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EmptyArxiv)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.PAPERFEED_ARXIV_API_URL = f"http://127.0.0.1:{server.server_address[1]}/api/query"
    settings.PAPERFEED_ARXIV_INTERVAL = 0.0
    settings.PAPERFEED_HTTP_RETRIES = 0
    settings.PAPERFEED_HTTP_TIMEOUT = 5.0
    yield
    server.shutdown()
    server.server_close()


# The collection the documented examples name (owner "ada", slug "reading", item 0xf4240),
# put back as it was before each operation is tried: the examples delete it too.
KNOWN_ITEM = 1_000_000
assert object_id(KNOWN_ITEM) == "0000000000000000000f4240"


def known_collection():
    from paperfeed.community.collections.models import Collection, CollectionItem
    from paperfeed.papers.models import Paper

    collection = Collection.objects.filter(owner__username="ada", slug="reading").first()
    if collection is None:
        collection = Collection.objects.create(
            owner=django_user("ada"), name="Reading", slug="reading", public=True
        )
    Collection.objects.filter(pk=collection.pk).update(name="Reading", public=True)
    collection.items.exclude(pk=KNOWN_ITEM).delete()
    if not collection.items.exists():
        CollectionItem.objects.create(pk=KNOWN_ITEM, collection=collection, paper=Paper.objects.get(arxiv_id="2410.17243"))
    Collection.objects.filter(owner__username="ada").exclude(pk=collection.pk).delete()


def django_user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


@pytest.fixture
def api_schema(db, empty_arxiv, make_paper, make_user, token_for):
    """The served document, loaded through the app, with the papers its examples name, a
    collection, and a token to use."""
    from django.core.wsgi import get_wsgi_application

    from paperfeed.digests.subscriptions import subscribe

    make_paper("2410.18693", listed=date(2024, 10, 25), upvotes=35, submitted_by="dyyyyyyyy")
    make_paper("2410.17243", listed=date(2024, 10, 25), upvotes=20, submitted_by="ClownRat")
    make_paper("hep-th/9901001", listed=date(2024, 10, 21))
    # Fresh enough to be submitted today by the known-good request below.
    make_paper("2611.00002", created=(timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    user = make_user("ada")
    known_collection()
    subscribe(user.email, "daily", user=user)
    secret = auth(token_for(user))["HTTP_AUTHORIZATION"]
    # The WSGI app runs inside the test's transaction. Each request's start and end would
    # close the database connection Django sees as "not in autocommit" (SQLite's in-memory
    # test database ignores that; PostgreSQL's connection really closes, and every later
    # query fails). Django's own test client holds these two signal handlers back the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        # schemathesis claims gzip by default but its WSGI transport does not decompress;
        # compression has its own tests (test_compression.py).
        headers = {"Authorization": secret, "Accept-Encoding": "identity"}
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application()), headers
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# Bodies that succeed where an example would not: today's submission of a fresh paper, a new
# title, a comment that replies to none (the example's parentId names no comment here).
KNOWN_BODY = {
    "POST /api/papers/submit": {"arxivId": "2611.00002"},
    "POST /api/papers/{arxiv_id}/comments": {"body": "A *known* comment."},
    "POST /api/collections": {"title": "Known", "private": False},
}
GENERATED = 15


def _generated_cases_here() -> bool:
    """Generated requests run on SQLite only. They are random values in the documented
    parameters and bodies, checked for 5xx and schema conformance; what they exercise is the
    API's own Python (parsing, validation, serializers), the same on both databases. What
    PostgreSQL decides is covered on its run by the hostile-input test (every API route with
    hostile values in every field it reads, deep and broken JSON: no 5xx) and here by the
    documented examples and the known-good request of every operation (success answers
    conform to the schema). That keeps ~8 s of CPU off the PostgreSQL run."""
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"


def _settings(examples: int):
    return hypothesis_settings(
        max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
    )


def test_api_conforms_to_its_schema(api_schema):
    # Driven by hand rather than schemathesis' pytest plugin, whose lazy-fixture mode does not
    # run under this pytest; one transaction for the whole run, as a test with `db` has.
    loaded, headers = api_schema
    operations = [result.ok() for result in loaded.get_all_operations()]
    described = {f"{method.upper()} {path}" for path, methods in openapi.PATHS.items() for method in methods}
    # schemathesis leaves out the document's own path; the test above checks that one.
    assert {operation.label for operation in operations} == described - {"GET /api/openapi.json"}
    for operation in operations:
        known_collection()
        # The document's own examples first: they name real papers, days and the collection.
        examples = loaded.get_strategies_from_examples(operation)
        if examples:

            @given(case=strategies.one_of(examples))
            @_settings(2 * len(examples))
            def run_examples(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            run_examples()

        if _generated_cases_here():

            @given(case=operation.as_strategy())
            @_settings(GENERATED)
            def run(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            run()
        # Generated values rarely name a paper that exists: one known-good request per
        # operation (the examples, put together) makes sure every success response is checked.
        known_collection()
        op = operation.definition.raw if hasattr(operation.definition, "raw") else openapi.PATHS[operation.path][operation.method]
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("example", NOT_SET)
        body = KNOWN_BODY.get(operation.label, body)
        known = operation.Case(
            path_parameters={p["name"]: p["example"] for p in op.get("parameters", []) if p["in"] == "path"},
            body=body,
            media_type="application/json" if body is not NOT_SET else None,
            query={"q": "contrastive"} if "search" in operation.label else None,
        )
        response = known.call_and_validate(headers=headers, checks=CHECKS)
        assert response.status_code in (200, 201), (operation.label, response.status_code, response.text)
