"""Fixtures of the account tests."""

from __future__ import annotations

import pytest

from paperfeed.community.accounts.models import Attempt


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    """A cheap password hasher: these tests log in hundreds of times. The site's own
    (PBKDF2) hasher is exercised by the CLI tests, which run the real command."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def attempts(scope: str, key: str | None = None) -> int:
    rows = Attempt.objects.filter(scope=scope)
    return (rows.filter(key=key) if key is not None else rows).count()


def logged_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")
