"""The standing hostile-input test: every route, hostile path segments, query values and bodies.

For each route the URL resolver knows (tests/hostile/routes.py: all of paperfeed's, and the
admin's log-in and index), Hypothesis draws requests: the path's parameters filled with
valid values (a paper, the user's collection, a far date) or hostile strings that the
converter lets through, a query string of the names the views read, and for POST (all
routes) and PUT/PATCH/DELETE (the API) a form-encoded or JSON body of the fields the view
reads, from the grammar in tests/hostile/grammar.py. As anyone, as a logged-in reader (CSRF
is not enforced by the test client: the point is server errors), or with an API token.

Asserted: no 5xx (timings are measured in bench/, not asserted). Derandomized, so every run sends the same
requests; EXAMPLES per route keeps a run within ~30 s per database.
"""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import quote

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from tests.hostile import grammar
from tests.hostile.routes import Route, all_routes, field_names, query_keys, template_values

pytestmark = pytest.mark.django_db

EXAMPLES = 5
ROUTES = all_routes()
PASSWORD = "correct horse battery staple"


def test_routes_are_found():
    names = {route.name for route in ROUTES}
    # A few of each kind: pages, API reads and writes, feeds, the admin's log-in.
    assert {"feed-day", "search", "api-collections", "api-daily-papers", "feed-search-syndication", "personal-update",
            "digest-settings", "admin/login/"} <= names | {route.route for route in ROUTES}
    assert len(ROUTES) >= 60
    # The fields a view reads are found in its source and its helpers'.
    fields = {route.name: set(route.fields) for route in ROUTES}
    assert {"id", "kind", "value", "query"} <= fields["personal-update"]
    assert {"action", "period", "timezone", "send_hour"} <= fields["digest-settings"]
    assert {"name", "description", "public"} <= fields["api-collections"]


@pytest.fixture
def world(sample_db, django_user_model):
    """A reader with something of everything, so routes get past their 404s to real logic."""
    from paperfeed.api.models import ApiToken
    from paperfeed.community.collections.models import Collection, CollectionItem
    from paperfeed.community.discussion.services import create_comment
    from paperfeed.digests.models import Subscription
    from paperfeed.digests.tokens import confirm_token, unsubscribe_token
    from paperfeed.papers.models import Category, DailyEntry, Organization
    from paperfeed.personal.models import MuteRule, Preferences, SavedSearch

    user = django_user_model.objects.create_user("hostile", "hostile@example.org", PASSWORD)
    entry = DailyEntry.objects.select_related("paper").order_by("-date", "id").first()
    paper = entry.paper
    collection = Collection.objects.create(owner=user, name="Reading list", slug="reading-list", public=True)
    CollectionItem.objects.create(collection=collection, paper=paper)
    comment = create_comment(paper, user, "A first comment with $x^2$.")
    token, secret = ApiToken.issue(user, "hostile")
    prefs, _ = Preferences.objects.get_or_create(user=user)
    subscription = Subscription.objects.create(email=user.email, user=user, status=Subscription.Status.ACTIVE)
    rule = MuteRule.objects.create(user=user, kind="keyword", value="quantum")
    search = SavedSearch.objects.create(user=user, query="language models")
    organization = Organization.objects.first()
    category = Category.objects.first()
    day = entry.date
    valid = {
        "arxiv_id": [paper.arxiv_id, f"{paper.arxiv_id}v1", "hep-th/9901001"],
        "username": [user.username],
        "slug": [collection.slug, *([organization.slug] if organization else []), day.isoformat(), _week(day)],
        "comment_id": [str(comment.pk)],
        "token_id": [str(token.pk)],
        "id": [str(rule.pk), str(search.pk)],
        "token": [prefs.feed_token, confirm_token(subscription.pk), unsubscribe_token(subscription.pk),
                  default_token_generator.make_token(user)],
        "uidb64": [urlsafe_base64_encode(force_bytes(user.pk))],
        "day": [day.isoformat()],
        "week": [_week(day)],
        "month": [day.strftime("%Y-%m")],
        "date": [day.isoformat()],
        "code": [category.code if category else "cs.CL"],
        "paper": [paper.arxiv_id],
        "arxivId": [paper.arxiv_id],
        "parent": [str(comment.pk)],
        "parentId": [f"{comment.pk:024x}"],
        "q": ["language models", "attention"],
        "body": ["A reply."],
        "name": ["Reading list", paper.authors_text.split(",")[0].strip()],
        "kind": ["weekly", "daily"],
        "fmt": ["atom", "json"],
        # /settings/personal/<what>: the removes first, they take an id.
        "what": ["mute-remove", "search-remove", "mute-add", "search-add", "categories", "follow", "unfollow"],
        **{name: values for name, values in template_values().items() if name not in ("id",)},
    }
    return {"user": user, "secret": secret, "valid": valid}


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _encode(text: str) -> str:
    """Percent-encoded UTF-8; a lone surrogate goes out as the invalid bytes a client could send."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def _path_value(route: Route, name: str, regex: str, valid: dict) -> st.SearchStrategy[str]:
    import re

    candidates = valid.get(name, []) + [literal for literal in route.literals if re.fullmatch(regex, literal)]
    hostile = grammar.hostile_text().filter(lambda text: bool(text) and re.fullmatch(regex, text) is not None)
    if name in ("day", "week", "month", "slug"):
        hostile = st.one_of(st.sampled_from(grammar.FAR_DATES), hostile)
    if regex == "[0-9]+":
        hostile = st.sampled_from(["0", "1", str(2**31), str(2**63), str(2**64), "9" * 40, "00001"])
    return st.one_of(st.sampled_from(candidates), hostile) if candidates else hostile


def _fields(names: list[str], valid: dict, max_size: int) -> st.SearchStrategy[list[tuple[str, str]]]:
    return st.lists(
        st.sampled_from(names).flatmap(lambda name: st.tuples(st.just(name), grammar.value_for(valid.get(name, [])))),
        max_size=max_size,
    )


@st.composite
def requests(draw, route: Route, valid: dict):
    path = "/"
    for part in route.parts:
        if isinstance(part, tuple):
            path += _encode(draw(_path_value(route, *part, valid)))
        else:
            path += part
    # Query: mostly the names this view reads, sometimes any name the site reads.
    keys = route.fields + list(query_keys()) if route.fields else list(query_keys())
    query = draw(_fields(keys, valid, 3))
    if query:
        path += "?" + "&".join(f"{_encode(key)}={_encode(value)}" for key, value in query)
    methods = ["GET", "POST", "POST", "PUT", "PATCH", "DELETE"] if route.is_api else ["GET", "POST", "POST", "HEAD"]
    method = draw(st.sampled_from(methods))
    who = draw(st.sampled_from(["anonymous", "reader", "token"] if route.is_api else ["anonymous", "reader", "reader"]))
    body, content_type = b"", None
    if method not in ("GET", "HEAD"):
        names = route.fields or sorted(field_names())
        kind = draw(st.sampled_from(["json"] if route.is_api else ["form", "form", "json", "multipart"]))
        if kind == "json":
            body, content_type = draw(grammar.json_body(names, valid)), "application/json"
        elif kind == "multipart":
            body = draw(st.sampled_from(grammar.MULTIPART))
            content_type = draw(st.sampled_from(["multipart/form-data; boundary=b", "multipart/form-data; boundary=",
                                                 "multipart/form-data"]))
        else:
            # Every field the view reads with a valid value, then some made hostile: the view
            # gets past "field missing" to the field under attack.
            fields = {name: valid[name][0] for name in names if valid.get(name)}
            for name, value in draw(_fields(names, valid, 4)):
                fields[name] = value
            body, content_type = _form(fields), _FORM
    return method, path, body, content_type, who


# Before the random draws, each route gets the same sweep: each of these in every path
# parameter its converter lets through, in every field it reads (query, form and JSON), and
# the far dates in date-shaped places. The random draws then mix them.
SWEEP = ["\x00", "a\x01b", "a\udc80b", "abc", "1e3", "' OR 1=1 --", 'NEAR("', "9999-12-31", "9999-W52", "9999-12",
         "0001-01-01", "0000-W01", str(2**64)]
FIELD_SWEEP = ["a\x00b", "abc", "1e3", "9999-12-31", "x" * 5000]


def sweep(route: Route, valid: dict) -> list[tuple]:
    import re

    parameters = [part for part in route.parts if isinstance(part, tuple)]

    def fill(value: str | None = None, target: tuple | None = None) -> str:
        """The path with `value` in the `target` parameter and valid values elsewhere."""
        path = "/"
        for part in route.parts:
            if part is target:
                path += _encode(value)
            elif isinstance(part, tuple):
                path += _encode((valid.get(part[0]) or [*route.literals, "x"])[0])
            else:
                path += part
        return path

    requests_ = []
    for value in SWEEP:
        for parameter in parameters:
            if re.fullmatch(parameter[1], value):
                requests_.append(("GET", fill(value, parameter), b"", None, "reader"))
        if not route.fields:
            continue
        query = "&".join(f"{name}={_encode(value)}" for name in route.fields)
        requests_.append(("GET", f"{fill(None)}?{query}", b"", None, "reader"))
        if route.is_api:
            body = json.dumps({name: value for name in route.fields}).encode()
            requests_.append(("POST", fill(None), body, "application/json", "token"))
    if route.fields and not route.is_api:
        # One field at a time, the others valid: the view gets as far as that field.
        form = {name: valid[name][0] for name in route.fields if valid.get(name)}
        for value in FIELD_SWEEP:
            for name in route.fields:
                requests_.append(("POST", fill(None), _form({**form, name: value}), _FORM, "reader"))
    if route.is_api:
        for document in (grammar.DEEP_JSON, '{"name": "\\udc80", "body": "\\ud800", "period": "\\udc80"}'):
            for method in ("POST", "PUT", "PATCH", "DELETE"):
                requests_.append((method, fill(None), document.encode(), "application/json", "token"))
    return requests_


_FORM = "application/x-www-form-urlencoded"


def _form(fields: dict) -> bytes:
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in fields.items()).encode("ascii")


def _describe(method: str, path: str, body: bytes, who: str) -> str:
    shown = body[:300] + (b"..." if len(body) > 300 else b"")
    return f"{method} {path[:300]}{'...' if len(path) > 300 else ''} as {who}, body {shown!r}"


class Visitors:
    """A test client per kind of visitor, each made as a fresh one would be before a request.

    Anyone and the token holder start from no cookies at all. The reader keeps one logged-in
    session from request to request (a log-in writes a session and the user's last log-in,
    a log-out deletes it again: per request, that was a third of this test's time), sending
    its cookie alone; it logs in again whenever a request ended that session (a log-out,
    a password change, the account deleted), checked as Django checks it after any request
    that may have changed data (a GET or HEAD answered without a new session cookie did not).
    """

    def __init__(self, user, secret: str):
        self.user, self.secret = user, secret
        self.client = Client(raise_request_exception=True)
        self.session_key = ""
        self.checked = False  # the reader's session is known to be valid

    def send(self, method: str, path: str, body: bytes, content_type: str | None, who: str):
        from http.cookies import SimpleCookie

        from django.conf import settings as django_settings

        headers = {}
        if who == "reader":
            if not (self.checked or self._reader_still_logged_in()):
                self.client.cookies = SimpleCookie()
                self.client.force_login(self.user)
                self.session_key = self.client.cookies[django_settings.SESSION_COOKIE_NAME].value
            self.client.cookies = SimpleCookie({django_settings.SESSION_COOKIE_NAME: self.session_key})
        else:
            self.client.cookies = SimpleCookie()
            if who == "token":
                headers["Authorization"] = f"Bearer {self.secret}"
        response = self.client.generic(method, path, body, content_type or "application/octet-stream", headers=headers)
        if method not in ("GET", "HEAD") or django_settings.SESSION_COOKIE_NAME in response.cookies:
            self.checked = False
        return response

    def _reader_still_logged_in(self) -> bool:
        if not self.session_key:
            return False
        self.checked = True
        from importlib import import_module

        from django.conf import settings as django_settings
        from django.contrib.auth import get_user
        from django.http import HttpRequest

        request = HttpRequest()
        request.session = import_module(django_settings.SESSION_ENGINE).SessionStore(self.session_key)
        return get_user(request).pk == self.user.pk


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_no_server_error(route: Route, world):
    visitors = Visitors(world["user"], world["secret"])

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the example is shown as sent
        suppress_health_check=list(HealthCheck),
    )
    @given(requests(route, world["valid"]))
    def one_request(request):
        method, path, body, content_type, who = request
        try:
            response = visitors.send(method, path, body, content_type, who)
        except Exception as error:
            raise AssertionError(f"{type(error).__name__}: {error} on {_describe(method, path, body, who)}") from error
        assert response.status_code < 500, f"{response.status_code} on {_describe(method, path, body, who)}"

    for request in sweep(route, world["valid"]):
        one_request = example(request)(one_request)
    one_request()


def test_the_reader_is_logged_in_for_every_request(world):
    """The reader's session is kept between requests (Visitors): after a request that logs
    it out, the next one is the reader's again, and anyone's never is."""
    visitors = Visitors(world["user"], world["secret"])
    assert visitors.send("GET", "/settings/account", b"", None, "reader").status_code == 200
    assert visitors.send("POST", "/logout", b"", _FORM, "reader").status_code == 303
    assert visitors.send("GET", "/settings/account", b"", None, "reader").status_code == 200
    assert visitors.send("GET", "/settings/account", b"", None, "anonymous").status_code == 302
    assert visitors.send("GET", "/settings/account", b"", None, "reader").status_code == 200
