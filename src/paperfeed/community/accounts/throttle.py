"""Sliding-window rate limits shared by every process (see models.Attempt).

    limit = Limit("comment", count=10, window=timedelta(hours=1))
    if not limit.allow(request.user.pk):      # counts this attempt when allowed
        return too_many(limit.retry_after(request.user.pk))
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from paperfeed.community.accounts.models import Attempt

PRUNE_CHANCE = 0.01


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    window: timedelta

    def _recent(self, key: object):
        since = timezone.now() - self.window
        return Attempt.objects.filter(scope=self.scope, key=str(key)[:200], at__gt=since)

    def exceeded(self, key: object) -> bool:
        """Whether the key has used up its attempts (without counting a new one)."""
        return self._recent(key).count() >= self.count

    def hit(self, key: object) -> None:
        """Count one attempt (e.g. a failed login). Now and then, old attempts of every scope
        are deleted here, so the table stays small without another cron job."""
        Attempt.objects.create(scope=self.scope, key=str(key)[:200], at=timezone.now())
        if random.random() < PRUNE_CHANCE:
            prune()

    def allow(self, key: object) -> bool:
        """Count an attempt if the key is under its limit; False when it is not.

        Check and insert run in one transaction: on SQLite (IMMEDIATE transactions) and under
        PostgreSQL's row locks on concurrent inserts the check can overshoot by at most the
        number of concurrent requests, which is acceptable for a rate limit.
        """
        with transaction.atomic():
            if self.exceeded(key):
                return False
            self.hit(key)
            return True

    def clear(self, key: object) -> None:
        """Forget a key's attempts (after a successful login)."""
        Attempt.objects.filter(scope=self.scope, key=str(key)[:200]).delete()

    def retry_after(self, key: object) -> int:
        """Seconds until the oldest counted attempt leaves the window (at least 1)."""
        oldest = self._recent(key).order_by("at").values_list("at", flat=True).first()
        if oldest is None:
            return 1
        return max(1, int((oldest + self.window - timezone.now()).total_seconds()) + 1)


def prune(older_than: timedelta = timedelta(days=2)) -> int:
    """Delete attempts older than any window; called from time to time by writers."""
    deleted, _ = Attempt.objects.filter(at__lt=timezone.now() - older_than).delete()
    return deleted


def client_ip(request) -> str:
    """The client's address. Behind a reverse proxy REMOTE_ADDR is the proxy; when
    PAPERFEED_TRUST_X_FORWARDED_FOR is on, the last hop the proxy appended is used."""
    from django.conf import settings

    if settings.PAPERFEED_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-1][:200]
    return request.META.get("REMOTE_ADDR", "")[:200]
