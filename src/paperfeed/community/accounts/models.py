"""Accounts are Django's own users; this app adds only what auth lacks: rate limiting."""

from __future__ import annotations

from django.db import models


class Attempt(models.Model):
    """One rate-limited action (a failed login, a comment, a vote) by one key.

    Limits are counted in the database, not a per-process cache, so that every gunicorn
    worker and every machine behind a load balancer sees the same counts.
    """

    scope = models.CharField(max_length=40)  # "login-ip", "login-user", "comment", …
    key = models.CharField(max_length=200)  # an IP address, a username, a user id
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"], name="attempt_scope_key_at")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key} at {self.at:%Y-%m-%d %H:%M:%S}"


class AttemptLock(models.Model):
    """One row per (scope, key) that a reservation writes first (throttle.reserve).

    Writing it takes the database's lock on it until the transaction ends — a row lock on
    PostgreSQL, the write lock on SQLite — so concurrent reservations of one key queue there,
    on either database, without asking which one it is. Rows unused for two days are pruned.
    """

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    locked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="attemptlock_scope_key")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
