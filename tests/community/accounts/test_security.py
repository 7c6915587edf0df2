"""Cookies behind HTTPS, CSRF on every account form, and the user menu."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from tests.community.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SETTINGS_PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps([settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY, "
    "settings.SESSION_COOKIE_SAMESITE, settings.SECURE_PROXY_SSL_HEADER, settings.CSRF_TRUSTED_ORIGINS]))"
)


def settings_with(tmp_path, base_url: str) -> list:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERFEED_") and k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="paperfeed.settings", PAPERFEED_DATA_DIR=str(tmp_path), PAPERFEED_BASE_URL=base_url)
    out = subprocess.run([sys.executable, "-c", SETTINGS_PROBE], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_https_base_url_makes_cookies_secure(tmp_path):
    assert settings_with(tmp_path, "https://papers.example.org") == [
        True, True, True, "Lax", ["HTTP_X_FORWARDED_PROTO", "https"], ["https://papers.example.org"],
    ]


def test_plain_http_base_url_keeps_cookies_usable_over_http(tmp_path):
    assert settings_with(tmp_path, "http://127.0.0.1:8000") == [False, False, True, "Lax", None, ["http://127.0.0.1:8000"]]


def test_the_login_cookies_carry_the_flags(client, make_user, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    make_user("ada")
    page = client.get("/login")
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] is True and csrf["samesite"] == "Lax"
    response = client.post("/login", {"username": "ada", "password": PASSWORD})
    session = response.cookies["sessionid"]
    assert (session["secure"], session["httponly"], session["samesite"]) == (True, True, "Lax")


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/login", {"username": "ada", "password": PASSWORD}),
        ("/signup", {"username": "eve", "email": "eve@example.org", "password1": "x y z w 1234", "password2": "x y z w 1234"}),
        ("/logout", {}),
        ("/password-reset", {"email": "ada@example.org"}),
        ("/settings/account", {"form": "email", "email": "eve@example.org", "password": PASSWORD}),
    ],
)
def test_account_forms_refuse_posts_without_the_csrf_token(make_user, url, data):
    ada = make_user("ada", email="ada@example.org")
    client = Client(enforce_csrf_checks=True)
    if url in ("/logout", "/settings/account"):
        client.force_login(ada)
    response = client.post(url, data)
    assert response.status_code == 403
    assert "CSRF verification failed" in response.content.decode()
    ada.refresh_from_db()
    assert ada.email == "ada@example.org"


def test_login_with_the_token_works(make_user):
    make_user("ada")
    client = Client(enforce_csrf_checks=True)
    client.get("/login")
    token = client.cookies["csrftoken"].value
    response = client.post("/login", {"username": "ada", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 303


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
@pytest.mark.parametrize("url", ["/signup", "/logout", "/settings/account"])
def test_other_methods_are_refused(client, make_user, url, method):
    client.force_login(make_user("ada"))
    assert getattr(client, method)(url).status_code == 405


# -- the header menu (included by base.html) ------------------------------------------------


def menu(user, path="/papers/search?q=x"):
    request = RequestFactory().get(path)
    request.user = user
    return render_to_string("accounts/_user_menu.html", request=request)


def test_menu_when_logged_out(settings):
    from django.contrib.auth.models import AnonymousUser

    html = menu(AnonymousUser())
    assert '<a class="btn btn-quiet btn-small" href="/login?next=/papers/search%3Fq%3Dx">Log in</a>' in html
    assert '<a class="btn btn-primary btn-small" href="/signup?next=/papers/search%3Fq%3Dx">Sign up</a>' in html
    settings.PAPERFEED_SIGNUP_OPEN = False
    assert "Sign up" not in menu(AnonymousUser())


def test_menu_when_logged_in(make_user):
    html = menu(make_user("ada"))
    # Every page of one's own, in the order a reader looks for them.
    links = ['<a href="/users/ada">Profile</a>', '<a href="/for-you">For you</a>',
             '<a href="/collections">Collections</a>', '<a href="/settings/personal">Interests &amp; mutes</a>',
             '<a href="/settings/digest">Digest</a>', '<a href="/settings/account">Settings</a>']
    positions = [html.index(link) for link in links]
    assert positions == sorted(positions)
    assert '<form method="post" action="/logout">' in html and 'name="csrfmiddlewaretoken"' in html
    assert '<button type="submit" class="user-menu-logout">Log out</button>' in html
    assert "Admin" not in html
    assert '<a href="/admin/">Admin</a>' in menu(make_user("mod", is_staff=True))
