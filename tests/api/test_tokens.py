"""Tokens: made on the settings page, shown once, stored hashed, revocable; CSRF and rate limits."""

from __future__ import annotations

import hashlib
import re

import pytest

from paperfeed.api.models import ApiToken
from paperfeed.community.accounts.models import Attempt

from .conftest import auth


@pytest.fixture
def logged_in(client, make_user):
    user = make_user("ada")
    client.force_login(user)
    return user


def test_a_token_is_shown_once_and_stored_hashed(client, logged_in):
    page = client.get("/settings/account")
    assert page.status_code == 200 and 'action="/api/tokens/new"' in page.content.decode()
    created = client.post("/api/tokens/new", {"name": "my <script> bot"})
    assert created.status_code == 201
    html = created.content.decode()
    secret = re.search(r'value="(pf_[A-Za-z0-9_-]{43})"', html).group(1)
    assert "my &lt;script&gt; bot" in html and "<script> bot" not in html
    token = ApiToken.objects.get(user=logged_in)
    assert token.hashed_secret == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:11] and secret not in str(list(ApiToken.objects.values()))
    # Listed on the settings page by prefix only, never the secret.
    listing = client.get("/settings/account").content.decode()
    assert f"{token.prefix}…" in listing and secret not in listing
    who = client.get("/api/whoami-v2", **auth(secret))
    assert who.json()["name"] == "ada" and who.json()["auth"]["accessToken"]["displayName"] == "my <script> bot"


def test_revoked_tokens_stop_working(client, logged_in, token_for):
    secret = token_for(logged_in)
    assert client.post("/api/papers/index", "{}", content_type="application/json", **auth(secret)).status_code == 400
    token = ApiToken.objects.get(user=logged_in)
    revoked = client.post(f"/api/tokens/{token.pk}/revoke")
    assert revoked.status_code == 303
    token.refresh_from_db()
    assert token.revoked_at is not None
    refused = client.get("/api/whoami-v2", **auth(secret))
    assert refused.status_code == 401 and refused.json() == {"error": "Invalid or revoked token."}
    # A revoked token makes even a read fail: it is never silently treated as anonymous.
    assert client.get("/api/daily_papers", **auth(secret)).status_code == 401


def test_someone_elses_token_cannot_be_revoked(client, logged_in, make_user, token_for):
    token_for(make_user("bob"))
    other = ApiToken.objects.get(user__username="bob")
    assert client.post(f"/api/tokens/{other.pk}/revoke").status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_a_foreign_token_is_ignored_on_reads_and_refused_on_writes(client, db):
    # huggingface_hub sends a saved Hugging Face token to whatever endpoint it talks to.
    hf = {"HTTP_AUTHORIZATION": "Bearer hf_abcdefghijklmnop"}
    assert client.get("/api/daily_papers", **hf).status_code == 200
    refused = client.post("/api/papers/index", "{}", content_type="application/json", **hf)
    assert refused.status_code == 401
    assert refused.json() == {"error": "Not a paperfeed token: create one on your account settings page."}
    assert refused["WWW-Authenticate"] == "Bearer"


def test_csrf_is_waived_for_tokens_only(make_user, token_for, make_paper):
    from django.test import Client

    make_paper("2611.00001")
    user = make_user()
    strict = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True)
    strict.force_login(user)
    # A cookie session without a CSRF token: refused, as a forged cross-site form would be.
    forged = strict.post("/api/papers/2611.00001/upvote")
    assert forged.status_code == 403
    assert forged.json()["error"].startswith("CSRF check failed")
    # The same session with its CSRF token is fine.
    strict.get("/settings/account")
    csrf = strict.cookies["csrftoken"].value
    assert strict.post("/api/papers/2611.00001/upvote", HTTP_X_CSRFTOKEN=csrf).status_code == 200
    # A token needs no CSRF token.
    anonymous = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True)
    assert anonymous.delete("/api/papers/2611.00001/upvote", **auth(token_for(user))).json()["upvoted"] is False


def test_anonymous_reads_are_rate_limited_per_address(client, db, settings):
    settings.PAPERFEED_API_ANON_RATE = 3
    statuses = [client.get("/api/daily_papers").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/papers")
    assert limited.json() == {"error": "Too many requests; slow down or use an API token."}
    assert 1 <= int(limited["Retry-After"]) <= 61
    assert limited["Access-Control-Allow-Origin"] == "*"
    # Another address has its own allowance.
    assert client.get("/api/daily_papers", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_token_reads_have_their_own_limit(client, make_user, token_for, settings):
    settings.PAPERFEED_API_ANON_RATE = 1
    settings.PAPERFEED_API_TOKEN_RATE = 2
    secret = token_for(make_user())
    assert client.get("/api/daily_papers").status_code == 200
    assert client.get("/api/daily_papers").status_code == 429
    assert [client.get("/api/daily_papers", **auth(secret)).status_code for _ in range(3)] == [200, 200, 429]


# -- guessing tokens ---------------------------------------------------------------------------


def test_token_guesses_are_limited_per_address(client, make_user, token_for, settings):
    settings.PAPERFEED_TOKEN_FAILURES_PER_IP = 3
    secret = token_for(make_user("ada"))
    guesses = [client.get("/api/whoami-v2", **auth(f"pf_guess{n}")) for n in range(3)]
    assert [g.status_code for g in guesses] == [401, 401, 401]
    # Past the limit the address is refused before any token is looked up: a right one too,
    # for reads and writes alike, so a guess that happened to be right would not be confirmed.
    refused = client.get("/api/whoami-v2", **auth(secret))
    assert refused.status_code == 429 and 890 <= int(refused["Retry-After"]) <= 900
    assert refused.json() == {"error": "Too many requests with invalid tokens from this address; try again later."}
    assert client.get("/api/daily_papers", **auth(f"pf_guess{4}")).status_code == 429
    assert client.post("/api/papers/index", "{}", content_type="application/json", **auth(secret)).status_code == 429
    # Refusals are not counted again, anonymous reads still work, and other addresses are unaffected.
    assert Attempt.objects.filter(scope="token-ip", key="127.0.0.1").count() == 3
    assert client.get("/api/daily_papers").status_code == 200
    assert client.get("/api/whoami-v2", REMOTE_ADDR="198.51.100.4", **auth(secret)).json()["name"] == "ada"


def test_valid_tokens_count_nothing(client, make_user, token_for, settings):
    settings.PAPERFEED_TOKEN_FAILURES_PER_IP = 1
    secret = token_for(make_user("ada"))
    assert [client.get("/api/whoami-v2", **auth(secret)).status_code for _ in range(3)] == [200, 200, 200]
    assert not Attempt.objects.filter(scope="token-ip").exists()
    # One wrong token is the limit here.
    assert client.get("/api/whoami-v2", **auth("pf_guess")).status_code == 401
    assert client.get("/api/whoami-v2", **auth(secret)).status_code == 429
