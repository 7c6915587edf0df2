"""The OpenAPI document matches the routes, and schemathesis finds no 5xx and no response
that breaks its schema (every operation, ~30 generated requests each, in-process via WSGI)."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import schemathesis
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

from .conftest import auth

# The account settings page's form posts: HTML pages of the site, not API operations.
NOT_API = {"api-token-create", "api-token-revoke", "api-not-found"}


def api_routes() -> set[str]:
    api = next(p for p in get_resolver().url_patterns if getattr(p, "app_name", None) is None and str(p.pattern) == "api/")
    routes = set()
    for pattern in api.url_patterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name not in NOT_API:
            path = str(pattern.pattern).replace("<arxiv:arxiv_id>", "{arxiv_id}").replace("<str:slug>", "{slug}")
            routes.add(f"/api/{path}")
    return routes


def test_every_route_is_described_and_nothing_else():
    assert api_routes() == set(openapi.PATHS)


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


@pytest.fixture
def api_schema(db, empty_arxiv, make_paper, make_user, token_for):
    """The served document, loaded through the app, with a little data and a token to use."""
    from django.core.wsgi import get_wsgi_application

    from paperfeed.community.collections.saving import create_collection
    from paperfeed.digests.subscriptions import subscribe

    make_paper("2611.00001", listed=date(2026, 11, 20), upvotes=3, submitted_by="ada", organization="Lab One")
    make_paper("hep-th/9901001", listed=date(2026, 11, 21))
    # Fresh enough to be submitted today by the known-good request below.
    make_paper("2611.00002", created=(timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    user = make_user("ada")
    create_collection(user, "Reading")
    subscribe(user.email, "daily", user=user)
    secret = auth(token_for(user))["HTTP_AUTHORIZATION"]
    # The WSGI app runs inside the test's transaction. Each request's start and end would
    # close the database connection Django sees as "not in autocommit" (SQLite's in-memory
    # test database ignores that; PostgreSQL's connection really closes, and every later
    # query fails). Django's own test client holds these two signal handlers back the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application()), {"Authorization": secret}
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


KNOWN_PATH = {"arxiv_id": "2611.00001", "slug": "reading"}
KNOWN_BODY = {
    "POST /api/papers/index": {"arxivId": "2611.00001"},
    "POST /api/papers/submit": {"arxivId": "2611.00002"},
    "POST /api/papers/{arxiv_id}/comments": {"body": "A *known* comment."},
    "POST /api/collections": {"name": "Known"},
    "POST /api/collections/{slug}/papers": {"arxivId": "2611.00001"},
    "POST /api/subscription": {"period": "weekly"},
}


def test_api_conforms_to_its_schema(api_schema):
    # Driven by hand rather than schemathesis' pytest plugin, whose lazy-fixture mode does not
    # run under this pytest; one transaction for the whole run, as a test with `db` has.
    loaded, headers = api_schema
    operations = [result.ok() for result in loaded.get_all_operations()]
    described = {f"{method.upper()} {path}" for path, methods in openapi.PATHS.items() for method in methods}
    # schemathesis leaves out the document's own path; the test above checks that one.
    assert {operation.label for operation in operations} == described - {"GET /api/openapi.json"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
        )
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()
        # Random ids and bodies rarely name a paper that exists: one known-good request per
        # operation makes sure every success response is checked against its schema too.
        known = operation.Case(
            path_parameters={k: v for k, v in KNOWN_PATH.items() if k in operation.path},
            body=KNOWN_BODY.get(operation.label, NOT_SET),
            media_type="application/json" if operation.label in KNOWN_BODY else None,
            query={"q": "paper"} if "search" in operation.label else None,
        )
        response = known.call_and_validate(headers=headers, checks=CHECKS)
        assert response.status_code in (200, 201), (operation.label, response.status_code, response.text)
