"""Fixtures shared by the community tests: real users in the test database."""

from __future__ import annotations

import itertools

import pytest

_numbers = itertools.count(1)


@pytest.fixture
def make_user(db, django_user_model):
    """make_user("ada") → a saved user with password "correct horse battery staple"."""

    def make(username: str | None = None, **extra):
        username = username or f"user{next(_numbers)}"
        extra.setdefault("email", f"{username}@example.org")
        return django_user_model.objects.create_user(username=username, password=PASSWORD, **extra)

    return make


PASSWORD = "correct horse battery staple"
