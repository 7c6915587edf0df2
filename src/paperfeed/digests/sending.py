"""Sending one period's digests: every due subscriber once, whatever crashes.

The delivery log (models.Delivery, unique per subscription and period) is written before
anything is sent, and each row moves through states, each change committed on its own:

    queued ──take──▶ composing ──envelope accepted──▶ sending ──250 OK──▶ sent
       ▲                 │                               │
       ├── sender died ──┘                               └── sender died ──▶ uncertain
       │                                                                        │
       └──────────── PAPERFEED_DIGEST_UNCERTAIN=resend (the default) ───────────┘

* A row is taken by one conditional UPDATE, so two senders (two cron runs, or several
  workers) never both take it.
* A sender is dead when its lease is over or, on this machine, its process is gone (pid and
  process start time, so a reused pid does not pass for it: sources/processes.py). A sender
  on another machine within its lease is trusted to be alive, and its rows are left alone.
* A sender that dies while composing, or while the server is still checking the envelope,
  leaves a row the server has no copy of: the next run puts it back in the queue.
* A sender that dies during DATA leaves the one case SMTP cannot settle: the server may or
  may not have accepted the message. Those rows become `uncertain`. By default the next run
  sends them again with the same Message-ID — at least once at SMTP, and once in the reader's
  mailbox, since mail systems take two messages with one Message-ID for the same message —
  while they have attempts left (MAX_ATTEMPTS hand-overs in all, so a sender that keeps dying
  cannot mail one digest without end). With PAPERFEED_DIGEST_UNCERTAIN=hold they are held:
  `paperfeed digest send` lists them and exits 1, and `paperfeed digest resolve` marks them
  sent or queues them again.
* Temporary failures (4xx, connection errors) are retried by later runs with exponential
  backoff; permanent ones (5xx: the address does not exist) end the subscription as bounced.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from paperfeed.digests.compose import build_message, compose, message_id
from paperfeed.digests.models import Delivery, Subscription
from paperfeed.digests.periods import DigestPeriod, digest_period, latest_complete
from paperfeed.digests.smtp import PermanentFailure, Sender, TemporaryFailure
from paperfeed.sources import processes

MAX_ATTEMPTS = 6
# Renewed when a row is taken and again before DATA: no digest takes this long to compose and
# hand over, so a sender this quiet is dead (or hung) whether or not its process is there.
LEASE = timedelta(minutes=10)
CONSECUTIVE_CONNECTION_FAILURES = 3  # the SMTP server is down: stop, leave the rest queued
States = Delivery.State


@dataclass
class RunReport:
    period_key: str
    due: int = 0
    sent: int = 0
    empty: int = 0
    already_done: int = 0
    failed: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    uncertain: list[Delivery] = field(default_factory=list)
    requeued: int = 0
    resent: int = 0  # uncertain deliveries queued again, to go out with their Message-ID
    stopped_early: str = ""

    @property
    def ok(self) -> bool:
        return not (self.failed or self.uncertain or self.stopped_early)


def worker_id() -> str:
    """This process, as `claimed_by` records it: host, pid and when the process started."""
    pid = os.getpid()
    return f"{processes.this_host()}:{pid}:{processes.start_token(pid)}"


def sender_is_dead(claimed_by: str, claimed_at: datetime | None, clock: datetime) -> bool:
    """Whether the sender that claimed a row is known to be gone: its lease is over (on the
    real clock, `clock`), or it ran on this machine and its process is no longer there."""
    if claimed_at is None or clock - claimed_at > LEASE:
        return True
    host, pid_text, token = (claimed_by.rsplit(":", 2) + ["", ""])[:3]
    if host != processes.this_host() or not pid_text.isdigit():
        return False  # another machine's sender within its lease: trust it
    return not processes.is_running(int(pid_text), token)


def uncertain_policy() -> str:
    """What a run does with deliveries left uncertain: "resend" (the default) or "hold"."""
    return settings.PAPERFEED_DIGEST_UNCERTAIN


def backoff(attempts: int) -> timedelta:
    """2, 8, 32 minutes… capped at 4 hours: a mail server that is down for a while."""
    return min(timedelta(minutes=2 * 4 ** max(0, attempts - 1)), timedelta(hours=4))


def due_subscriptions(period: DigestPeriod, now: datetime) -> list[Subscription]:
    subscriptions = Subscription.objects.filter(status=Subscription.Status.ACTIVE, period=period.kind).order_by("pk")
    return [s for s in subscriptions if period.due_at(s.timezone, s.send_hour) <= now]


def _enqueue(period: DigestPeriod, subscriptions: list[Subscription]) -> None:
    Delivery.objects.bulk_create(
        [
            Delivery(
                subscription=s, period_key=period.key, state=States.QUEUED, message_id=message_id(s.pk, period.key)
            )
            for s in subscriptions
        ],
        ignore_conflicts=True,  # rows from an earlier run stay as they are: that is the point
        batch_size=500,
    )


def _recover(period: DigestPeriod, report: RunReport) -> None:
    """Rows left by senders that died: back to the queue, or uncertain when SMTP had the data;
    uncertain ones back to the queue too, unless the operator holds them or they are out of
    attempts."""
    clock = timezone.now()  # leases are real time, whatever period the run is sending
    stale = Delivery.objects.filter(period_key=period.key, state__in=[States.COMPOSING, States.SENDING])
    for row in stale:
        if not sender_is_dead(row.claimed_by, row.claimed_at, clock):
            continue
        if row.state == States.COMPOSING:
            updated = Delivery.objects.filter(pk=row.pk, state=States.COMPOSING, claimed_by=row.claimed_by).update(
                state=States.QUEUED, claimed_by=""
            )
            report.requeued += updated
        else:
            Delivery.objects.filter(pk=row.pk, state=States.SENDING, claimed_by=row.claimed_by).update(
                state=States.UNCERTAIN,
                last_error=f"the sender ({row.claimed_by}) stopped while handing the message to SMTP; "
                "the server may or may not have it",
            )
    if uncertain_policy() == "hold":
        return
    # Every uncertain row's sender is dead (it became uncertain only so), so sending it again
    # can at worst deliver a second copy with the same Message-ID, which the mailbox shows once.
    # The conditional UPDATE keeps two runs recovering at once from both queueing it.
    report.resent += Delivery.objects.filter(
        period_key=period.key, state=States.UNCERTAIN, attempts__lt=MAX_ATTEMPTS
    ).update(state=States.QUEUED, claimed_by="")


def _claim_next(period_key: str, me: str, now: datetime) -> Delivery | None:
    """Take the next deliverable row of the period for this sender, or None when none is left.

    On PostgreSQL the row is picked with SELECT … FOR UPDATE SKIP LOCKED: several senders
    running at once each lock a different row instead of queueing behind (or racing for) the
    same one, so they share the work. SQLite has no row locks (writers take turns on the
    database lock) and ignores the clause; there the conditional UPDATE below is what makes a
    row one sender's — it is kept on PostgreSQL too, so the guarantee never rests on one
    mechanism. Rows are only ever queued for subscriptions that were due, so any queued row
    of the period whose subscription is still active is deliverable.
    """
    rows = Delivery.objects.filter(period_key=period_key, subscription__status=Subscription.Status.ACTIVE)
    # Fresh rows first, then earlier failures whose backoff is over: each is one index range
    # of (period_key, state) in id order, so a claim stays cheap with thousands of rows.
    candidates = (
        rows.filter(state=States.QUEUED),
        rows.filter(state=States.FAILED, attempts__lt=MAX_ATTEMPTS).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        ),
    )
    for claimable in candidates:
        while True:
            with transaction.atomic():
                row = claimable.select_for_update(skip_locked=True, of=("self",)).order_by("pk").first()
                if row is None:
                    break
                taken = Delivery.objects.filter(pk=row.pk, state=row.state).update(
                    state=States.COMPOSING, claimed_by=me, claimed_at=timezone.now(), attempts=F("attempts") + 1
                )
            if taken:
                row.refresh_from_db()
                return row
    return None


def send_digests(
    kind: str,
    day: date | None = None,
    *,
    now: datetime | None = None,
    progress: Callable[[int, int | None, str], None] | None = None,
) -> RunReport:
    now = now or timezone.now()
    period = digest_period(kind, day) if day else latest_complete(kind, now.date())
    report = RunReport(period.key)
    due = due_subscriptions(period, now)
    report.due = len(due)
    _enqueue(period, due)
    _recover(period, report)
    ours = Delivery.objects.filter(period_key=period.key)
    report.already_done = ours.filter(state__in=[States.SENT, States.EMPTY, States.REJECTED]).count()
    waiting = ours.filter(state__in=[States.QUEUED, States.FAILED]).count()

    me = worker_id()
    sender = Sender()
    cache: dict = {}
    connection_failures = 0
    done = 0
    try:
        while (row := _claim_next(period.key, me, now)) is not None:
            done += 1
            if progress:
                progress(done, max(done, waiting), f"digests {period.key}")
            outcome = _deliver(row, period, sender, me, cache)
            if outcome == "sent":
                report.sent += 1
                connection_failures = 0
            elif outcome == "empty":
                report.empty += 1
            elif outcome.startswith("rejected"):
                report.rejected.append(f"{row.subscription.email}: {outcome}")
            else:
                report.failed.append(f"{row.subscription.email}: {outcome}")
                if outcome.startswith("cannot connect") or "connection lost" in outcome:
                    connection_failures += 1
                    if connection_failures >= CONSECUTIVE_CONNECTION_FAILURES:
                        report.stopped_early = f"stopped: SMTP unreachable ({outcome})"
                        break
    finally:
        sender.close()
    # Rows failed before this run and not yet due again (or out of attempts): said, not sent.
    failing_this_run = {entry.partition(":")[0] for entry in report.failed}
    for row in ours.filter(state=States.FAILED).select_related("subscription").order_by("pk"):
        if row.subscription.email not in failing_this_run:
            report.failed.append(f"{row.subscription.email}: waiting to retry ({row.last_error})")
    report.uncertain = list(
        Delivery.objects.filter(period_key=period.key, state=States.UNCERTAIN).select_related("subscription")
    )
    return report


def _deliver(row: Delivery, period: DigestPeriod, sender: Sender, me: str, cache: dict) -> str:
    subscription = row.subscription
    digest = compose(subscription, period, cache)
    mine = Delivery.objects.filter(pk=row.pk, claimed_by=me)
    if digest.empty:
        mine.update(state=States.EMPTY, sent_at=timezone.now(), claimed_by="")
        return "empty"
    message = build_message(digest, row.message_id, cache)

    def before_data() -> None:
        mine.update(
            state=States.SENDING,
            claimed_at=timezone.now(),  # the lease runs from the hand-over, not from the claim
            subject=digest.subject[:300],
            papers=digest.paper_count,
        )

    try:
        sender.send(message, before_data)
    except PermanentFailure as exc:
        mine.update(state=States.REJECTED, last_error=str(exc), claimed_by="")
        Subscription.objects.filter(pk=subscription.pk).update(
            status=Subscription.Status.BOUNCED, ended_at=timezone.now(), end_reason=str(exc)[:300]
        )
        return f"rejected: {exc}"
    except TemporaryFailure as exc:
        attempts = Delivery.objects.get(pk=row.pk).attempts
        mine.update(
            state=States.FAILED,
            last_error=str(exc),
            next_attempt_at=timezone.now() + backoff(attempts),
            claimed_by="",
        )
        return str(exc)
    mine.update(state=States.SENT, sent_at=timezone.now(), claimed_by="")
    return "sent"


def write_dry_run(kind: str, day: date | None, out_dir: Path, *, now: datetime | None = None) -> list[Path]:
    """Compose every due digest into DIR/<subscription>-<period>.eml; nothing is recorded."""
    now = now or timezone.now()
    period = digest_period(kind, day) if day else latest_complete(kind, now.date())
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    cache: dict = {}
    for subscription in due_subscriptions(period, now):
        digest = compose(subscription, period, cache)
        if digest.empty:
            continue
        message = build_message(digest, message_id(subscription.pk, period.key), cache)
        path = out_dir / f"{subscription.pk}-{period.key.replace(':', '-')}.eml"
        path.write_bytes(message.message().as_bytes())
        written.append(path)
    return written


def resolve(delivery_ids: list[int], *, mark_sent: bool) -> int:
    """An operator's decision on held deliveries: they arrived (sent), or send again."""
    held = Delivery.objects.filter(pk__in=delivery_ids, state=States.UNCERTAIN)
    if mark_sent:
        return held.update(state=States.SENT, sent_at=timezone.now(), claimed_by="")
    return held.update(state=States.QUEUED, claimed_by="")
