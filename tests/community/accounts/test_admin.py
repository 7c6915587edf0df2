"""Moderation in the admin: suspend and reactivate users, read the throttling counters."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from paperfeed.community.accounts.models import Attempt
from tests.community.conftest import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def admin_client(make_user):
    moderator = make_user("moderator", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(moderator)
    client.moderator = moderator
    return client


def run_action(client, action, users):
    return client.post(
        "/admin/auth/user/", {"action": action, "_selected_action": [str(u.pk) for u in users], "index": "0"}
    )


def test_suspending_ends_sessions_and_logins(admin_client, make_user):
    bob, carol = make_user("bob"), make_user("carol")
    bob_browser = Client()
    bob_browser.force_login(bob)
    assert bob_browser.get("/settings/account").status_code == 200

    response = run_action(admin_client, "suspend_users", [bob, carol])
    assert response.status_code == 302
    assert list(User.objects.filter(username__in=["bob", "carol"]).values_list("is_active", flat=True)) == [False, False]
    assert "Suspended 2 users." in admin_client.get("/admin/auth/user/").content.decode()

    # The open session stops working at once, the login form refuses, the profile is gone.
    assert bob_browser.get("/settings/account").status_code == 302
    refused = Client().post("/login", {"username": "bob", "password": PASSWORD})
    assert refused.status_code == 200 and "Wrong username or password." in refused.content.decode()
    assert Client().get("/users/bob").status_code == 404

    run_action(admin_client, "reactivate_users", [bob])
    assert User.objects.get(username="bob").is_active is True
    assert Client().post("/login", {"username": "bob", "password": PASSWORD}).status_code == 303


def test_a_moderator_cannot_suspend_themselves(admin_client, make_user):
    bob = make_user("bob")
    run_action(admin_client, "suspend_users", [bob, admin_client.moderator])
    assert User.objects.get(username="moderator").is_active is True
    assert User.objects.get(username="bob").is_active is False
    page = admin_client.get("/admin/auth/user/").content.decode()
    assert "You cannot suspend your own account." in page and "Suspended 1 user." in page


def test_the_user_list_shows_the_active_flag_and_both_actions(admin_client):
    html = admin_client.get("/admin/auth/user/").content.decode()
    assert '<option value="suspend_users">Suspend selected users</option>' in html
    assert '<option value="reactivate_users">Reactivate selected users</option>' in html
    assert 'column-is_active' in html and 'column-email' in html


def test_attempts_are_listed_filtered_and_read_only(admin_client):
    at = datetime(2026, 11, 20, 8, 30, tzinfo=timezone.utc)
    Attempt.objects.create(scope="login-ip", key="192.0.2.1", at=at)
    Attempt.objects.create(scope="login-user", key="user:7", at=at)
    listing = admin_client.get("/admin/accounts/attempt/").content.decode()
    assert "192.0.2.1" in listing and "user:7" in listing
    assert '<a href="?scope=login-ip">login-ip</a>' in listing
    filtered = admin_client.get("/admin/accounts/attempt/?scope=login-ip").content.decode()
    assert "192.0.2.1" in filtered and "user:7" not in filtered
    assert admin_client.get("/admin/accounts/attempt/add/").status_code == 403
    attempt = Attempt.objects.get(key="192.0.2.1")
    change = admin_client.post(f"/admin/accounts/attempt/{attempt.pk}/change/", {"scope": "x", "key": "y", "at_0": "2026-01-01", "at_1": "00:00"})
    assert change.status_code == 403
    attempt.refresh_from_db()
    assert attempt.key == "192.0.2.1"
