"""/signup: validation, uniqueness, redirects, closed sign-ups, the per-address limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from paperfeed.community.accounts.models import Attempt

from .conftest import attempts, logged_in_user_id

pytestmark = pytest.mark.django_db
User = get_user_model()

GOOD = {
    "username": "grace",
    "email": "Grace@Example.org",
    "password1": "a long unusual passphrase 42",
    "password2": "a long unusual passphrase 42",
}


def signup(client, **changes):
    return client.post("/signup", {**GOOD, **changes})


def test_the_form_has_the_four_fields(client):
    page = client.get("/signup")
    assert page.status_code == 200
    html = page.content.decode()
    for name, kind in (("username", "text"), ("email", "email"), ("password1", "password"), ("password2", "password")):
        assert f'type="{kind}" name="{name}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "<h1>Create an account</h1>" in html


def test_signing_up_creates_the_user_logs_in_and_goes_to_the_feed(client):
    response = signup(client)
    assert response.status_code == 303
    assert response["Location"] == "/papers"
    user = User.objects.get(username="grace")
    # The domain part is lower-cased (Django's normalize_email), the local part kept.
    assert user.email == "Grace@example.org"
    assert user.check_password("a long unusual passphrase 42")
    assert (user.is_active, user.is_staff, user.is_superuser) == (True, False, False)
    assert logged_in_user_id(client) == str(user.pk)
    assert attempts("signup-ip", "127.0.0.1") == 1


def test_next_is_followed_when_it_stays_on_the_site(client):
    response = client.post("/signup?next=/papers/search%3Fq%3Dllm", GOOD)
    assert response.status_code == 303 and response["Location"] == "/papers/search?q=llm"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_next_leaving_the_site_is_ignored(client, target):
    response = client.post("/signup", {**GOOD, "next": target})
    assert response.status_code == 303 and response["Location"] == "/papers"


def test_email_is_unique_without_regard_to_case(client, make_user):
    make_user("grace2", email="grace@example.org")
    response = signup(client, email="GRACE@EXAMPLE.ORG")
    assert response.status_code == 400
    assert "An account with this e-mail address already exists." in response.content.decode()
    assert not User.objects.filter(username="grace").exists()


def test_username_is_unique_without_regard_to_case(client, make_user):
    make_user("Grace")
    response = signup(client)
    assert response.status_code == 400
    assert "A user with that username already exists." in response.content.decode()


def test_email_is_required(client):
    response = signup(client, email="")
    assert response.status_code == 400
    assert '<p class="field-error" id="id_email_error">This field is required.</p>' in response.content.decode()


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("<b>x</b>", "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."),
        ("grace@example.org", "A username cannot contain “@”."),
        ("x" * 151, "Ensure this value has at most 150 characters (it has 151)."),
    ],
)
def test_usernames_follow_the_rules(client, username, message):
    response = signup(client, username=username)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.filter(email__iexact=GOOD["email"]).count() == 0


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("8217365421983", "This password is entirely numeric."),
        ("grace-example", "The password is too similar to the email address."),
    ],
)
def test_passwords_pass_the_validators(client, password, message):
    response = signup(client, password1=password, password2=password)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.filter(username="grace").exists()


def test_the_two_passwords_must_match(client):
    response = signup(client, password2="something else entirely 42")
    assert response.status_code == 400
    assert "The two password fields didn’t match." in response.content.decode()


def test_closed_signups_say_so_and_create_nobody(client, settings):
    settings.PAPERFEED_SIGNUP_OPEN = False
    page = client.get("/signup")
    assert page.status_code == 403
    assert "<h1>Sign-ups are closed</h1>" in page.content.decode()
    assert signup(client).status_code == 403
    assert not User.objects.filter(username="grace").exists()


def test_sign_ups_per_address_are_limited(client):
    ten_minutes_ago = timezone.now() - timedelta(minutes=10)
    Attempt.objects.bulk_create([Attempt(scope="signup-ip", key="127.0.0.1", at=ten_minutes_ago)] * 10)
    response = signup(client)
    assert response.status_code == 429
    # The oldest counted sign-up leaves the one-hour window in 50 minutes.
    assert response["Retry-After"] == "3000"
    assert "Too many accounts were created from your network in the last hour." in response.content.decode()
    assert not User.objects.filter(username="grace").exists()
    # Another address is not affected.
    assert client.post("/signup", GOOD, REMOTE_ADDR="192.0.2.7").status_code == 303


def test_a_logged_in_user_is_sent_on(client, make_user):
    client.force_login(make_user("ada"))
    response = client.get("/signup?next=/papers/search")
    assert response.status_code == 303 and response["Location"] == "/papers/search"


def test_the_database_refuses_a_second_account_with_the_same_address(make_user):
    """The race two sign-ups could win against the form's check (migration accounts/0001_initial)."""
    make_user("one", email="same@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("two", email="SAME@example.org", password="x")
    # Accounts without an address (createsuperuser allows that) are not caught by it.
    User.objects.create_user("three", email="", password="x")
    User.objects.create_user("four", email="", password="x")
