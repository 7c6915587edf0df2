"""Subscriptions and the delivery log that makes every digest go out exactly once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class Subscription(models.Model):
    """One address that gets digests; with or without an account."""

    class Period(models.TextChoices):
        DAILY = "daily"
        WEEKLY = "weekly"

    class Status(models.TextChoices):
        PENDING = "pending"  # double opt-in: waiting for the confirmation click
        ACTIVE = "active"
        UNSUBSCRIBED = "unsubscribed"
        BOUNCED = "bounced"  # hard bounce or invalid address: never sent to again

    email = models.EmailField(max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="subscriptions"
    )
    period = models.CharField(max_length=10, choices=Period.choices, default=Period.DAILY)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.PENDING)
    # What goes in (personal picks, saved searches, follows and versions need an account).
    include_trending = models.BooleanField(default=True)
    include_personal = models.BooleanField(default=True)
    include_saved_searches = models.BooleanField(default=True)
    include_followed_authors = models.BooleanField(default=True)
    include_new_versions = models.BooleanField(default=True)
    # A one-line notice on days arXiv announced nothing, instead of no mail at all.
    notify_no_announcement = models.BooleanField(default=False)
    timezone = models.CharField(max_length=64, default="UTC")
    send_hour = models.PositiveSmallIntegerField(default=7)  # local hour, 0–23
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            # One subscription per address (case-insensitively); its period is a preference.
            models.UniqueConstraint(Lower("email"), name="subscription_unique_email"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.period}, {self.status})"


class Delivery(models.Model):
    """One digest for one subscription and one period: claimed before sending, marked after.

    The unique (subscription, period_key) row is the exactly-once guarantee: a re-run finds
    the row and does not send again. See digests/sending.py for the states and the one
    window SMTP cannot close.
    """

    class State(models.TextChoices):
        QUEUED = "queued"  # due; nobody is working on it
        COMPOSING = "composing"  # taken by the process in `claimed_by`; SMTP has nothing yet
        SENDING = "sending"  # DATA under way: the server may have the message from here on
        SENT = "sent"
        EMPTY = "empty"  # nothing to send and the subscriber asked for no notice
        FAILED = "failed"  # a temporary failure; retried with backoff
        UNCERTAIN = "uncertain"  # the sender died mid-hand-off: the next run re-sends it, or holds it
        REJECTED = "rejected"  # permanent failure (address refused)

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    period_key = models.CharField(max_length=20)  # "daily:2026-11-26", "weekly:2026-W48"
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    message_id = models.CharField(max_length=200)
    subject = models.CharField(max_length=300, blank=True)
    papers = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=200, blank=True)  # host:pid:process start of the sender
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "period_key"], name="delivery_once_per_period"),
        ]
        indexes = [models.Index(fields=["period_key", "state"], name="delivery_period_state")]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.subscription.email} {self.period_key}: {self.state}"
