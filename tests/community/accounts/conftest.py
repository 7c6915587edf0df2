"""Fixtures of the account tests."""

from __future__ import annotations

from paperfeed.community.accounts.models import Attempt


def attempts(scope: str, key: str | None = None) -> int:
    rows = Attempt.objects.filter(scope=scope)
    return (rows.filter(key=key) if key is not None else rows).count()


def logged_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")
