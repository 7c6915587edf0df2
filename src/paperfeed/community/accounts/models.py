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
