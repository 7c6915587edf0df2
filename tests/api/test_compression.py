"""JSON answers are gzipped when the client accepts it; HTML pages never are (BREACH)."""

from __future__ import annotations

import gzip
import json
from datetime import date

import pytest

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def day(make_paper):
    for n in range(1, 6):
        make_paper(f"2611.{n:05d}", listed=date(2026, 11, 20), upvotes=n)
    return "2026-11-20"


def test_json_is_gzipped_for_a_client_that_accepts_it(client, day):
    plain = client.get("/api/daily_papers", {"date": day})
    packed = client.get("/api/daily_papers", {"date": day}, **GZIP)
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert int(packed["Content-Length"]) < len(plain.content) / 2
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    for response in (plain, packed):
        assert "Accept-Encoding" in response["Vary"]
        assert response["Access-Control-Allow-Origin"] == "*"


def test_html_pages_are_not_compressed(client, day):
    page = client.get(f"/papers/date/{day}", **GZIP)
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert "Content-Encoding" not in page
    assert b"</html>" in page.content


def test_feed_etags_are_weak_on_the_compressed_body_and_304_still_answers(client, day):
    plain = client.get("/feeds/daily.json")
    packed = client.get("/feeds/daily.json", **GZIP)
    assert plain.status_code == packed.status_code == 200
    strong = plain["ETag"]
    assert strong.startswith('"')
    # The compressed body is another representation: the same tag, weak.
    assert packed["Content-Encoding"] == "gzip"
    assert packed["ETag"] == f"W/{strong}"
    # Each client gets 304 for the tag it holds, and that tag back.
    again_plain = client.get("/feeds/daily.json", HTTP_IF_NONE_MATCH=strong)
    again_packed = client.get("/feeds/daily.json", HTTP_IF_NONE_MATCH=f"W/{strong}", **GZIP)
    assert again_plain.status_code == again_packed.status_code == 304
    assert again_plain["ETag"] == strong
    assert again_packed["ETag"] == f"W/{strong}"


def test_a_private_feed_is_not_compressed(client, make_user, day):
    from paperfeed.personal.models import Preferences

    prefs = Preferences.objects.create(user=make_user())
    response = client.get(f"/feeds/personal/{prefs.feed_token}.json", **GZIP)
    assert response.status_code == 200
    assert len(response.content) >= 200  # long enough that only the rule keeps it plain
    assert "private" in response["Cache-Control"]
    assert "Content-Encoding" not in response


def test_json_for_a_signed_in_browser_session_is_not_compressed(client, make_user, day):
    # A session may read its own private data (whoami, export): a cross-site attacker can make
    # the browser send the cookie, so such answers are never compressed. A token may be.
    client.force_login(make_user("ada"))
    by_session = client.get("/api/whoami-v2", **GZIP)
    assert by_session.status_code == 200 and by_session.json()["name"] == "ada"
    assert "Content-Encoding" not in by_session
    assert "Content-Encoding" not in client.get("/api/daily_papers", {"date": day}, **GZIP)
