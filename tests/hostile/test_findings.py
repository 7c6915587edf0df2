"""The server errors and gaps of issue 15 (finding 4 and the web parts of 6), one test each."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from markdown_it import MarkdownIt

from paperfeed.api.models import ApiToken
from paperfeed.digests import subscriptions
from paperfeed.digests.models import Subscription
from paperfeed.personal.models import MuteRule, SavedSearch
from paperfeed.core.text import valid_text as clean_text
from paperfeed.request_input import json_depth_exceeds

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def reader(django_user_model):
    user = django_user_model.objects.create_user("finder", "finder@example.org", PASSWORD)
    client = Client(raise_request_exception=True)
    client.force_login(user)
    client.user = user
    return client


@pytest.mark.parametrize(
    "url",
    ["/papers/date/9999-12-31", "/papers/week/9999-W52", "/papers/month/9999-12", "/digests/weekly/9999-W52",
     "/digests/daily/9999-12-31", "/papers/date/0001-01-01", "/papers/week/0001-W01", "/papers/month/0001-01",
     "/papers/date/0000-01-01"],
)
def test_far_dates_are_404_on_pages(client, url):
    response = client.get(url)
    assert response.status_code == 404


@pytest.mark.parametrize("query", ["week=9999-W52", "date=9999-12-31", "month=9999-12", "date=0001-01-01"])
def test_far_dates_are_400_on_the_api(client, query):
    response = client.get(f"/api/daily_papers?{query}")
    assert response.status_code == 400
    assert "1900–2999" in response.json()["error"]


@pytest.mark.parametrize("query", ["%00", "a%01b", "a%00b%1fc"])
def test_control_characters_in_the_search_feed(sample_db, client, query):
    response = client.get(f"/feeds/search.atom?q={query}")
    assert response.status_code in (200, 404)
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", response.content)


def _token(user) -> dict:
    _, secret = ApiToken.issue(user, "test")
    return {"Authorization": f"Bearer {secret}"}


def test_lone_surrogate_in_an_api_write_becomes_a_replacement_character(reader):
    response = reader.post(
        "/api/collections", b'{"name": "a\\udc80b\\u0000c"}', content_type="application/json", headers=_token(reader.user)
    )
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "a\ufffdbc"


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a":' * 100_000, b"[" * 21 + b"]" * 21])
def test_deeply_nested_json_is_refused(reader, body):
    response = reader.post("/api/collections", body, content_type="application/json", headers=_token(reader.user))
    assert response.status_code == 400
    assert "nested deeper than 20" in response.json()["error"]


def test_json_depth_counts_brackets_outside_strings_only():
    assert not json_depth_exceeds('{"a": "' + "[" * 50 + '"}')
    assert json_depth_exceeds("[" * 21)
    assert not json_depth_exceeds("[" * 20 + "]" * 20)


def test_nan_and_infinity_are_not_json(reader):
    response = reader.post("/api/collections", b'{"name": NaN}', content_type="application/json", headers=_token(reader.user))
    assert response.status_code == 400


def test_form_text_loses_control_characters_before_any_view(reader):
    reader.post("/settings/personal/mute-add", {"kind": "keyword", "value": "qu\x00an\x01tum"})
    assert MuteRule.objects.get(user=reader.user).value == "quantum"
    assert clean_text("tab\tand\nnew\rline") == "tab\tand\nnew\rline"


@pytest.mark.parametrize("what,model", [("mute-remove", MuteRule), ("search-remove", SavedSearch)])
@pytest.mark.parametrize("bad_id", ["abc", "1e3", "", "99999999999999999999999999", "\u0661"])
def test_removing_with_a_bad_id_says_so(reader, what, model, bad_id):
    if model is MuteRule:
        MuteRule.objects.create(user=reader.user, kind="keyword", value="quantum")
    else:
        SavedSearch.objects.create(user=reader.user, query="language models")
    response = reader.post(f"/settings/personal/{what}", {"id": bad_id}, follow=True)
    assert response.status_code == 200
    assert b"could not be removed" in response.content
    assert model.objects.filter(user=reader.user).count() == 1


@pytest.mark.parametrize("period", ["hourly", "x" * 5000])
def test_digest_settings_refuse_an_unknown_period(reader, period):
    response = reader.post("/settings/digest", {"action": "subscribe", "period": period})
    assert response.status_code == 400
    assert b"Choose daily or weekly" in response.content
    assert not Subscription.objects.exists()
    with pytest.raises(ValueError):
        subscriptions.subscribe("finder@example.org", period)


def test_markdown_view_makes_no_link_from_paper_text(client):
    from paperfeed.papers.store import store_records
    from paperfeed.sources.normalize import build_record

    store_records(
        [
            build_record(
                arxiv_id="2611.77777",
                title="See [x][r1] and [y] and [^1]",
                abstract="First line.\n\n[r1]: https://evil.example/one\n\n[y]: https://evil.example/two\n\n"
                "[^1]: https://evil.example/three\n\n\\<https://evil.example/four> [z](https://evil.example/five)",
                authors=["Alice"],
                categories="cs.CR",
                versions=[{"version": "v1", "created": "2026-11-20T10:00:00Z"}],
            )
        ]
    )
    text = client.get("/papers/2611.77777.md").content.decode()
    html = MarkdownIt("commonmark").render(text)
    links = re.findall(r'href="([^"]*)"', html)
    assert links and not [link for link in links if "evil.example" in link], links


def test_a_multipart_body_django_cannot_parse_is_an_empty_form(reader):
    response = reader.post("/settings/personal/mute-add", b"--b\r\n", content_type="multipart/form-data; boundary=")
    assert response.status_code in (302, 303)
    assert not MuteRule.objects.exists()


def test_a_path_with_control_characters_is_404(client):
    assert client.get("/users/a%00b").status_code == 404
    assert client.get("/organizations/%01").status_code == 404
