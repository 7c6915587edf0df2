"""Sliding-window rate limits shared by every process (see models.Attempt).

    limit = Limit("comment", count=10, window=timedelta(hours=1))
    if not limit.allow(request.user.pk):      # counts this attempt when allowed
        return too_many(limit.retry_after(request.user.pk))

Where the attempt itself is costly or must not be confirmed past the limit (a password
check), `reserve` counts it under every limit BEFORE it runs, atomically, and the caller
`release`s the reservation when the attempt turns out not to count (a right password):

    try:
        reservation = reserve([(per_ip, ip), (per_account, account)])
    except Throttled as refusal:
        return too_many(refusal.retry_after)
    if check_password(...):
        release(reservation)
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from paperfeed.community.accounts.models import Attempt, AttemptLock

PRUNE_CHANCE = 0.01


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    window: timedelta

    def _recent(self, key: object):
        since = timezone.now() - self.window
        return Attempt.objects.filter(scope=self.scope, key=_stored(key), at__gt=since)

    def exceeded(self, key: object) -> bool:
        """Whether the key has used up its attempts (without counting a new one)."""
        return self._recent(key).count() >= self.count

    def hit(self, key: object) -> None:
        """Count one attempt (e.g. a failed login). Now and then, old attempts of every scope
        are deleted here, so the table stays small without another cron job."""
        Attempt.objects.create(scope=self.scope, key=_stored(key), at=timezone.now())
        if random.random() < PRUNE_CHANCE:
            prune()

    def allow(self, key: object) -> bool:
        """Count an attempt if the key is under its limit; False when it is not (exactly,
        however many requests arrive at once: see `reserve`)."""
        try:
            reserve([(self, key)])
        except Throttled:
            return False
        return True

    def clear(self, key: object) -> None:
        """Forget a key's attempts (after a successful login)."""
        Attempt.objects.filter(scope=self.scope, key=_stored(key)).delete()

    def retry_after(self, key: object) -> int:
        """Seconds until the oldest counted attempt leaves the window (at least 1)."""
        oldest = self._recent(key).order_by("at").values_list("at", flat=True).first()
        if oldest is None:
            return 1
        return max(1, int((oldest + self.window - timezone.now()).total_seconds()) + 1)


class Throttled(Exception):
    """A reservation was refused: some key is at its limit for `retry_after` more seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"throttled for {retry_after} s")
        self.retry_after = retry_after


def reserve(checks: Sequence[tuple[Limit, object]]) -> list[int]:
    """Count one attempt under every (limit, key) of `checks`, or under none and raise
    Throttled when any key has used up its limit. Returns the reservation (row ids).

    Check and insert are one transaction that concurrent reservations of the same key
    wait for, so N requests at once can never pass a limit of fewer than N: it starts by
    writing the key's lock row (`_lock_keys`), which holds every other reservation of that
    key until this one commits, on SQLite and PostgreSQL alike.
    """
    with transaction.atomic():
        _lock_keys(checks)
        wait = max((limit.retry_after(key) for limit, key in checks if limit.exceeded(key)), default=0)
        if wait:
            raise Throttled(wait)
        now = timezone.now()
        rows = [Attempt.objects.create(scope=limit.scope, key=_stored(key), at=now) for limit, key in checks]
    if random.random() < PRUNE_CHANCE:
        prune()
    return [row.pk for row in rows]


def release(reservation: Sequence[int]) -> None:
    """Take back a reservation: the attempt it counted does not count after all."""
    Attempt.objects.filter(pk__in=reservation).delete()


def _stored(key: object) -> str:
    return str(key)[:200]


def _lock_keys(checks: Sequence[tuple[Limit, object]]) -> None:
    """Wait for every other open reservation of these keys (until its transaction ends).

    Each key's AttemptLock row is written (inserted if missing, else updated) in this
    transaction: PostgreSQL then holds a row lock on it, which a concurrent insert-or-update
    of the same row waits for; on SQLite the write needs the database's write lock, which the
    site's IMMEDIATE transactions take at BEGIN anyway. No question about which database this
    is. Locks are taken in a fixed order, so two reservations sharing keys cannot deadlock.
    """
    now = timezone.now()
    for scope, key in sorted({(limit.scope, _stored(key)) for limit, key in checks}):
        AttemptLock.objects.bulk_create(
            [AttemptLock(scope=scope, key=key, locked_at=now)],
            update_conflicts=True,
            unique_fields=["scope", "key"],
            update_fields=["locked_at"],
        )


def prune(older_than: timedelta = timedelta(days=2)) -> int:
    """Delete attempts older than any window, and the lock rows of keys not used since;
    called from time to time by writers. Returns the number of attempts deleted."""
    since = timezone.now() - older_than
    deleted, _ = Attempt.objects.filter(at__lt=since).delete()
    AttemptLock.objects.filter(locked_at__lt=since).delete()
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
