"""/login and /logout: e-mail or username, one generic refusal, throttling, redirects."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from paperfeed.community.accounts.models import Attempt
from tests.community.conftest import PASSWORD

from .conftest import attempts, logged_in_user_id

pytestmark = pytest.mark.django_db

WRONG = "Wrong username or password."
THROTTLED = "Too many failed log-in attempts. Logging in is paused; try again in about"


def log_in(client, username, password=PASSWORD, **extra):
    return client.post("/login", {"username": username, "password": password}, **extra)


@pytest.fixture
def ada(make_user):
    return make_user("ada", email="Ada@Example.org")


@pytest.fixture
def limits(settings):
    settings.PAPERFEED_LOGIN_FAILURES_PER_ACCOUNT = 3
    settings.PAPERFEED_LOGIN_FAILURES_PER_IP = 6
    return settings


def test_the_form_has_the_standard_fields(client):
    page = client.get("/login")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="text" name="username"' in html and 'type="password" name="password"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label for="id_username">Username or e-mail</label>' in html
    assert 'href="/signup"' in html and 'href="/password-reset"' in html


def test_logging_in_with_the_username(client, ada):
    response = log_in(client, "ada")
    assert response.status_code == 303 and response["Location"] == "/papers"
    assert logged_in_user_id(client) == str(ada.pk)


@pytest.mark.parametrize("name", ["Ada@Example.org", "ada@example.org", "ADA@EXAMPLE.ORG"])
def test_logging_in_with_the_email_address(client, ada, name):
    response = log_in(client, name)
    assert response.status_code == 303
    assert logged_in_user_id(client) == str(ada.pk)


def test_the_username_is_case_sensitive(client, ada):
    response = log_in(client, "ADA")
    assert response.status_code == 200 and WRONG in response.content.decode()
    assert logged_in_user_id(client) is None


@pytest.mark.parametrize("name,password", [("ada", "wrong password"), ("nobody", PASSWORD), ("nobody@example.org", PASSWORD)])
def test_every_refusal_reads_the_same(client, ada, name, password):
    response = log_in(client, name, password)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<div class="notice notice-warn form-errors" role="alert"><p>{WRONG}</p></div>' in html
    assert logged_in_user_id(client) is None


def test_a_suspended_user_gets_the_same_refusal(client, ada):
    ada.is_active = False
    ada.save()
    response = log_in(client, "ada")
    assert response.status_code == 200
    assert WRONG in response.content.decode() and "inactive" not in response.content.decode()
    assert logged_in_user_id(client) is None


def test_next_is_followed_when_it_stays_on_the_site(client, ada):
    response = client.post("/login?next=/papers/2412.13148", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 303 and response["Location"] == "/papers/2412.13148"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "http://testserver.evil.example/"])
def test_next_leaving_the_site_is_ignored(client, ada, target):
    response = client.post("/login", {"username": "ada", "password": PASSWORD, "next": target})
    assert response.status_code == 303 and response["Location"] == "/papers"


def test_next_is_carried_in_the_form_escaped(client):
    page = client.get('/login?next=/papers/search%3Fq%3D%22%3E%3Cscript%3Ealert(1)%3C/script%3E')
    html = page.content.decode()
    assert '<input type="hidden" name="next" value="/papers/search?q=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">' in html
    assert "<script>alert(1)" not in html


# -- throttling -----------------------------------------------------------------------------


def test_an_account_is_locked_after_its_failures_even_with_the_right_password(client, ada, limits):
    for _ in range(3):
        assert log_in(client, "ada", "wrong password").status_code == 200
    assert attempts("login-user", f"user:{ada.pk}") == 3
    # The window is 15 minutes from the first failure; pin the failures' time to read it exactly.
    Attempt.objects.filter(scope="login-user").update(at=timezone.now() - timedelta(minutes=5))
    response = log_in(client, "ada", PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    html = response.content.decode()
    assert f"{THROTTLED} 10 minutes" in html
    assert WRONG not in html
    assert logged_in_user_id(client) is None
    # The refusal checked no password, so it counted nothing more.
    assert attempts("login-user") == 3
    # Once the failures leave the window, the right password works again.
    Attempt.objects.filter(scope="login-user").update(at=timezone.now() - timedelta(minutes=16))
    assert log_in(client, "ada").status_code == 303


def test_the_username_and_the_email_count_as_one_account(client, ada, limits):
    log_in(client, "ada", "wrong 1")
    log_in(client, "ada@example.org", "wrong 2")
    log_in(client, "ADA@example.org", "wrong 3")
    assert attempts("login-user", f"user:{ada.pk}") == 3
    assert log_in(client, "ada").status_code == 429
    assert log_in(client, "Ada@Example.org").status_code == 429


def test_unknown_names_are_throttled_like_accounts(client, limits):
    for _ in range(3):
        assert WRONG in log_in(client, "Ghost", "whatever").content.decode()
    assert attempts("login-user", "name:ghost") == 3
    response = log_in(client, "ghost", "whatever")
    assert response.status_code == 429 and THROTTLED in response.content.decode()


def test_a_successful_login_clears_the_account_but_not_the_address(client, ada, limits):
    log_in(client, "ada", "wrong 1")
    log_in(client, "ada", "wrong 2")
    assert log_in(client, "ada").status_code == 303
    assert attempts("login-user", f"user:{ada.pk}") == 0
    assert attempts("login-ip", "127.0.0.1") == 2


def test_an_address_is_locked_after_failures_on_many_accounts(client, ada, limits):
    for number in range(6):
        log_in(client, f"someone{number}", "guess")
    assert attempts("login-ip", "127.0.0.1") == 6
    response = log_in(client, "ada")
    assert response.status_code == 429 and int(response["Retry-After"]) in range(890, 901)
    assert logged_in_user_id(client) is None
    # The same account from another address is fine: its own counter is clean.
    assert log_in(client, "ada", REMOTE_ADDR="198.51.100.4").status_code == 303


def test_empty_submissions_are_not_counted(client, limits):
    response = client.post("/login", {"username": "ada", "password": ""})
    assert response.status_code == 200
    assert '<p class="field-error" id="id_password_error">This field is required.</p>' in response.content.decode()
    assert attempts("login-ip") == 0 and attempts("login-user") == 0


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(client, ada, limits):
    limits.PAPERFEED_TRUST_X_FORWARDED_FOR = True
    log_in(client, "ada", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.1")
    assert attempts("login-ip", "10.0.0.1") == 1 and attempts("login-ip", "127.0.0.1") == 0


def test_without_a_trusted_proxy_the_header_is_ignored(client, ada, limits):
    log_in(client, "ada", "wrong", HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert attempts("login-ip", "127.0.0.1") == 1 and attempts("login-ip", "10.0.0.1") == 0


# -- the admin's log-in: the same limits, counted by the same backend ---------------------------

ADMIN_THROTTLED = "Too many failed log-in attempts. Logging in is paused; try again in about"


def admin_log_in(client, username, password=PASSWORD, **extra):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, **extra)


@pytest.fixture
def root(make_user):
    return make_user("root", is_staff=True, is_superuser=True)


def test_the_admin_refuses_the_right_password_after_the_limit(client, root, limits):
    for _ in range(3):
        response = admin_log_in(client, "root", "wrong password")
        assert response.status_code == 200 and "Please enter the correct username and password" in response.content.decode()
    assert attempts("login-user", f"user:{root.pk}") == 3
    Attempt.objects.filter(scope="login-user").update(at=timezone.now() - timedelta(minutes=5))
    response = admin_log_in(client, "root")
    assert response.status_code == 429 and response["Retry-After"] == "600"
    html = response.content.decode()
    assert f"{ADMIN_THROTTLED} 10 minutes." in html
    assert "Please enter the correct username and password" not in html
    assert logged_in_user_id(client) is None
    assert client.get("/admin/").status_code == 302
    # Once the failures leave the window, the right password works again.
    Attempt.objects.filter(scope="login-user").update(at=timezone.now() - timedelta(minutes=16))
    assert admin_log_in(client, "root").status_code == 302
    assert logged_in_user_id(client) == str(root.pk)


def test_failures_at_either_form_lock_both(client, root, limits):
    """One counter per account, whichever form the guesses go to."""
    log_in(client, "root", "wrong 1")
    admin_log_in(client, "root", "wrong 2")
    log_in(client, "root", "wrong 3")
    assert attempts("login-user", f"user:{root.pk}") == 3
    assert admin_log_in(client, "root").status_code == 429
    assert log_in(client, "root").status_code == 429
    assert logged_in_user_id(client) is None


def test_the_admin_counts_the_address_too(client, root, limits):
    for number in range(6):
        admin_log_in(client, f"someone{number}", "guess")
    assert attempts("login-ip", "127.0.0.1") == 6
    assert admin_log_in(client, "root").status_code == 429
    assert admin_log_in(client, "root", REMOTE_ADDR="198.51.100.4").status_code == 302


def test_a_right_password_at_the_admin_clears_the_account(client, root, limits):
    admin_log_in(client, "root", "wrong 1")
    admin_log_in(client, "root", "wrong 2")
    assert admin_log_in(client, "root").status_code == 302
    assert attempts("login-user", f"user:{root.pk}") == 0 and attempts("login-ip", "127.0.0.1") == 2


def test_a_password_checked_without_a_request_counts_for_the_account(ada, limits):
    """authenticate() called from code, with no request: the account's limit still holds."""
    from django.contrib.auth import authenticate

    for _ in range(3):
        assert authenticate(username="ada", password="wrong") is None
    assert attempts("login-user", f"user:{ada.pk}") == 3 and attempts("login-ip") == 0
    assert authenticate(username="ada", password=PASSWORD) is None


# -- logout -----------------------------------------------------------------------------------


def test_logout_by_get_only_asks(client, ada):
    client.force_login(ada)
    page = client.get("/logout")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<form class="pf-form account-form auth-card" method="post" action="/logout">' in html
    assert "You are logged in as <strong>ada</strong>." in html
    assert logged_in_user_id(client) == str(ada.pk)


def test_logout_by_post(client, ada):
    client.force_login(ada)
    response = client.post("/logout")
    assert response.status_code == 303 and response["Location"] == "/papers"
    assert logged_in_user_id(client) is None


@pytest.mark.parametrize(("target", "location"), [("/papers/search", "/papers/search"), ("https://evil.example/", "/papers")])
def test_logout_follows_only_safe_next(client, ada, target, location):
    client.force_login(ada)
    response = client.post("/logout", {"next": target})
    assert response.status_code == 303 and response["Location"] == location


def test_logout_page_when_logged_out(client):
    page = client.get("/logout")
    assert page.status_code == 200 and "You are not logged in." in page.content.decode()


def test_logout_refuses_other_methods(client):
    assert client.put("/logout").status_code == 405
