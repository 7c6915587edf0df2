"""Password reset by e-mail, through a real SMTP server on loopback."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from paperfeed.community.accounts.models import Attempt
from tests.community.conftest import PASSWORD

from .conftest import attempts, logged_in_user_id

pytestmark = pytest.mark.django_db
User = get_user_model()

NEW_PASSWORD = "a brand new passphrase 77"
LINK = re.compile(r"https://papers\.example\.org(/password-reset/[A-Za-z0-9_-]+/[A-Za-z0-9-]+)\n")


@pytest.fixture
def smtp(smtp, settings):
    """The suite's SMTP server on loopback, for a site at a public HTTPS address."""
    settings.DEFAULT_FROM_EMAIL = "paperfeed <noreply@papers.example.org>"
    settings.BASE_URL = "https://papers.example.org"
    return smtp


def plain(received) -> str:
    return received.message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def request_reset(client, email, **extra):
    return client.post("/password-reset", {"email": email}, **extra)


def test_the_whole_reset_by_email(client, make_user, smtp):
    ada = make_user("ada", email="ada@example.org")
    response = request_reset(client, "ADA@example.org")
    assert response.status_code == 302 and response["Location"] == "/password-reset/sent"
    assert "<h1>Check your e-mail</h1>" in client.get(response["Location"]).content.decode()

    assert len(smtp.received) == 1
    received = smtp.received[0]
    assert received.mail_from == "noreply@papers.example.org"
    assert received.rcpt_tos == ["ada@example.org"]
    message = received.message
    assert message["Subject"] == "Reset your paperfeed password"
    assert message["To"] == "ada@example.org"
    assert message.get_content_type() == "multipart/alternative"
    text = plain(received)
    html = message.get_body(("html",)).get_content()
    assert text.startswith("Hello ada,\n\nSomeone, hopefully you, asked to reset the password of your account on papers.example.org.\n")
    assert "it works once, within 3 hours" in text
    path = LINK.search(text).group(1)
    assert f'href="https://papers.example.org{path}"' in html

    # The link: the token moves into the session, then the form sets the new password.
    step = client.get(path)
    assert step.status_code == 302
    form_url = step["Location"]
    assert form_url.endswith("/set-password")
    page = client.get(form_url)
    assert page.status_code == 200 and "<h1>Choose a new password</h1>" in page.content.decode()
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/password-reset/done"
    assert "<h1>Password changed</h1>" in client.get(done["Location"]).content.decode()

    # The old password is gone, the new one logs in; the link does not work twice.
    assert client.post("/login", {"username": "ada", "password": PASSWORD}).status_code == 200
    login = client.post("/login", {"username": "ada", "password": NEW_PASSWORD})
    assert login.status_code == 303 and logged_in_user_id(client) == str(ada.pk)
    again = client.get(path)
    assert again.status_code == 200 and "<h1>This link does not work</h1>" in again.content.decode()


def test_the_link_names_the_configured_host_not_the_request_host(client, make_user, smtp, settings):
    """Host-header poisoning: a forged Host must not end up in the mail."""
    settings.ALLOWED_HOSTS = ["*"]
    make_user("ada", email="ada@example.org")
    assert request_reset(client, "ada@example.org", HTTP_HOST="evil.example").status_code == 302
    text = plain(smtp.received[0])
    assert "evil.example" not in text
    assert LINK.search(text) is not None


def test_an_http_base_url_gives_an_http_link(client, make_user, smtp, settings):
    settings.BASE_URL = "http://127.0.0.1:8000"
    make_user("ada", email="ada@example.org")
    request_reset(client, "ada@example.org", secure=True)
    text = plain(smtp.received[0])
    assert re.search(r"\nhttp://127\.0\.0\.1:8000/password-reset/[A-Za-z0-9_-]+/[A-Za-z0-9-]+\n", text)


def test_unknown_and_suspended_addresses_get_the_same_answer_and_no_mail(client, make_user, smtp):
    make_user("bob", email="bob@example.org", is_active=False)
    for address in ("nobody@example.org", "bob@example.org"):
        response = request_reset(client, address)
        assert response.status_code == 302 and response["Location"] == "/password-reset/sent"
    assert smtp.received == []


def test_usernames_in_the_mail_are_escaped_text(client, make_user, smtp):
    # Usernames cannot hold markup, but the mail's HTML part must not trust that.
    User.objects.create_user("x<b>y</b>", email="x@example.org", password=PASSWORD)
    request_reset(client, "x@example.org")
    html = smtp.received[0].message.get_body(("html",)).get_content()
    assert "<b>y</b>" not in html and "x&lt;b&gt;y&lt;/b&gt;" in html


def test_requests_per_address_are_limited(client, make_user, smtp):
    make_user("ada", email="ada@example.org")
    for _ in range(3):
        assert request_reset(client, "ada@example.org").status_code == 302
    Attempt.objects.filter(scope="reset-email").update(at=timezone.now() - timedelta(minutes=20))
    response = request_reset(client, "Ada@Example.org")
    assert response.status_code == 429
    assert response["Retry-After"] == "2400"
    assert "Too many reset requests for this address or from your network." in response.content.decode()
    assert len(smtp.received) == 3
    assert attempts("reset-email", "ada@example.org") == 3


def test_requests_per_client_are_limited(client, make_user, smtp):
    Attempt.objects.bulk_create(
        [Attempt(scope="reset-ip", key="127.0.0.1", at=timezone.now() - timedelta(minutes=30))] * 10
    )
    make_user("ada", email="ada@example.org")
    response = request_reset(client, "ada@example.org")
    assert response.status_code == 429 and response["Retry-After"] == "1800"
    assert smtp.received == []
    # Refused requests do not use up the address's own allowance.
    assert attempts("reset-email") == 0


def test_a_reset_lifts_a_login_lock_out(client, make_user, smtp, settings):
    settings.PAPERFEED_LOGIN_FAILURES_PER_ACCOUNT = 2
    ada = make_user("ada", email="ada@example.org")
    for _ in range(2):
        client.post("/login", {"username": "ada", "password": "guess"})
    assert client.post("/login", {"username": "ada", "password": PASSWORD}).status_code == 429
    request_reset(client, "ada@example.org")
    path = LINK.search(plain(smtp.received[0])).group(1)
    form_url = client.get(path)["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert attempts("login-user", f"user:{ada.pk}") == 0
    assert client.post("/login", {"username": "ada", "password": NEW_PASSWORD}).status_code == 303


def test_the_new_password_must_pass_the_validators(client, make_user, smtp):
    make_user("ada", email="ada@example.org")
    request_reset(client, "ada@example.org")
    path = LINK.search(plain(smtp.received[0])).group(1)
    form_url = client.get(path)["Location"]
    response = client.post(form_url, {"new_password1": "password", "new_password2": "password"})
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()


def test_a_forged_link_is_refused(client, make_user):
    ada = make_user("ada")
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(str(ada.pk).encode())
    page = client.get(f"/password-reset/{uid}/abc-0123456789abcdef")
    assert page.status_code == 200 and "<h1>This link does not work</h1>" in page.content.decode()
