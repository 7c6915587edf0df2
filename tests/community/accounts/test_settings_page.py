"""/settings/account: change the e-mail address (with the password) and the password."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.community.conftest import PASSWORD

from .conftest import logged_in_user_id

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another fine passphrase 9"


@pytest.fixture
def ada(make_user, client):
    user = make_user("ada", email="ada@example.org")
    client.force_login(user)
    return user


def test_login_is_required(client):
    response = client.get("/settings/account")
    assert response.status_code == 302 and response["Location"] == "/login?next=/settings/account"


def test_the_page_shows_both_forms(client, ada):
    page = client.get("/settings/account")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Now: <strong>ada@example.org</strong>." in html
    assert html.count('name="csrfmiddlewaretoken"') >= 2
    assert '<input type="hidden" name="form" value="email">' in html
    assert '<input type="hidden" name="form" value="password">' in html
    for name in ("email", "password", "old_password", "new_password1", "new_password2"):
        assert f'name="{name}"' in html


def test_changing_the_email(client, ada):
    response = client.post("/settings/account", {"form": "email", "email": "ada@new.example", "password": PASSWORD})
    assert response.status_code == 303 and response["Location"] == "/settings/account"
    ada.refresh_from_db()
    assert ada.email == "ada@new.example"
    assert '<p class="notice" role="status">Your e-mail address was changed.</p>' in client.get("/settings/account").content.decode()


def test_changing_the_email_needs_the_password(client, ada):
    response = client.post("/settings/account", {"form": "email", "email": "ada@new.example", "password": "nope"})
    assert response.status_code == 400
    assert "Your current password was entered incorrectly." in response.content.decode()
    ada.refresh_from_db()
    assert ada.email == "ada@example.org"


def test_an_address_in_use_is_refused(client, ada, make_user):
    make_user("bob", email="bob@example.org")
    response = client.post("/settings/account", {"form": "email", "email": "BOB@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "Another account uses this e-mail address." in response.content.decode()


def test_changing_the_password_keeps_this_session(client, ada):
    response = client.post(
        "/settings/account",
        {"form": "password", "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 303
    assert logged_in_user_id(client) == str(ada.pk)
    ada.refresh_from_db()
    assert ada.check_password(NEW_PASSWORD)


def test_changing_the_password_logs_out_other_sessions(client, ada):
    other = Client()
    other.force_login(ada)
    assert other.get("/settings/account").status_code == 200
    client.post(
        "/settings/account",
        {"form": "password", "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert other.get("/settings/account").status_code == 302


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("wrong", NEW_PASSWORD, "Your old password was entered incorrectly. Please enter it again."),
        (PASSWORD, "12345678", "This password is too common."),
    ],
)
def test_password_change_errors(client, ada, old, new, message):
    response = client.post(
        "/settings/account", {"form": "password", "old_password": old, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 400 and message in response.content.decode()
    ada.refresh_from_db()
    assert ada.check_password(PASSWORD)


def test_a_stored_email_is_escaped(client, ada):
    ada.email = '"><script>alert(1)</script>@example.org'
    ada.save()
    html = client.get("/settings/account").content.decode()
    assert "<script>alert(1)" not in html
    assert "Now: <strong>&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;@example.org</strong>." in html


# -- a stolen session must not be a way to guess the password ---------------------------------

THROTTLED = "Too many wrong passwords for this account; try again in about 15 minutes."


@pytest.fixture
def limit_of_three(settings):
    settings.PAPERFEED_LOGIN_FAILURES_PER_ACCOUNT = 3
    settings.PAPERFEED_LOGIN_FAILURES_PER_IP = 100


def test_current_password_guesses_count_as_failed_logins(client, ada, limit_of_three):
    """Guessing through the e-mail change would end in a reset mail to the guesser's address."""
    change_email = {"form": "email", "email": "mallory@example.org"}
    for guess in ("guess 1", "guess 2"):
        assert client.post("/settings/account", {**change_email, "password": guess}).status_code == 400
    change_password = {"form": "password", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post("/settings/account", {**change_password, "old_password": "guess 3"}).status_code == 400
    # Three failures: the right password is refused at both forms, unchecked, and at /login.
    for form in ({**change_email, "password": PASSWORD}, {**change_password, "old_password": PASSWORD}):
        response = client.post("/settings/account", form)
        assert response.status_code == 429 and 890 <= int(response["Retry-After"]) <= 900
        assert THROTTLED in response.content.decode()
    assert Client().post("/login", {"username": "ada", "password": PASSWORD}).status_code == 429
    ada.refresh_from_db()
    assert ada.email == "ada@example.org" and ada.check_password(PASSWORD)


def test_the_right_current_password_clears_the_failures(client, ada, limit_of_three):
    from paperfeed.community.accounts.models import Attempt

    client.post("/settings/account", {"form": "email", "email": "ada@new.example", "password": "guess"})
    assert Attempt.objects.filter(scope="login-user", key=f"user:{ada.pk}").count() == 1
    response = client.post("/settings/account", {"form": "email", "email": "ada@new.example", "password": PASSWORD})
    assert response.status_code == 303
    assert not Attempt.objects.filter(scope="login-user").exists()
