"""Subscribing, confirming (double opt-in) and unsubscribing."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from paperfeed.digests.models import Subscription
from paperfeed.digests.tokens import confirm_token, unsubscribe_token

Status = Subscription.Status


def subscribe(
    email: str,
    period: str = "daily",
    *,
    confirmed: bool = False,
    user=None,
    notify_no_announcement: bool | None = None,
) -> str:
    """Create or renew the address's subscription; returns what happened, in words.

    An address that bounced stays stopped (only an operator can lift that, in the admin); an
    unsubscribed one can come back, through a new confirmation.
    """
    if period not in Subscription.Period.values:
        # A period no digest run sends would be a subscription that silently never mails.
        raise ValueError(f"unknown digest period {period!r}; use {' or '.join(Subscription.Period.values)}")
    email = email.strip()
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(email__iexact=email).first()
        if subscription is None:
            try:
                with transaction.atomic():
                    subscription = Subscription.objects.create(email=email, period=period, user=user)
            except IntegrityError:  # the same address subscribed concurrently
                subscription = Subscription.objects.get(email__iexact=email)
        if subscription.status == Status.BOUNCED:
            return "address bounced earlier; not subscribed (an admin can re-enable it)"
        if subscription.status == Status.ACTIVE:
            if subscription.period != period:
                subscription.period = period
                subscription.save(update_fields=["period"])
                return f"already subscribed; now {period}"
            return "already subscribed"
        subscription.period = period
        if notify_no_announcement is not None:
            subscription.notify_no_announcement = notify_no_announcement
        if user is not None and subscription.user_id is None:
            subscription.user = user
        if confirmed:
            subscription.status = Status.ACTIVE
            subscription.confirmed_at = timezone.now()
            subscription.ended_at = None
            subscription.end_reason = ""
            subscription.save()
            return f"subscribed ({period})"
        subscription.status = Status.PENDING
        subscription.save()
    send_confirmation(subscription)
    return "confirmation mail sent"


def send_confirmation(subscription: Subscription) -> None:
    context = {
        "subscription": subscription,
        "confirm_url": f"{settings.BASE_URL}/subscribe/confirm/{confirm_token(subscription.pk)}",
        "base_url": settings.BASE_URL,
    }
    message = EmailMultiAlternatives(
        subject="Confirm your paperfeed digest subscription",
        body=render_to_string("digests/confirm_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscription.email],
    )
    message.send()
    Subscription.objects.filter(pk=subscription.pk).update(confirmation_sent_at=timezone.now())


def confirm(subscription: Subscription) -> bool:
    """Activate a pending subscription; False when it is not pending (e.g. it bounced)."""
    updated = Subscription.objects.filter(pk=subscription.pk, status=Status.PENDING).update(
        status=Status.ACTIVE, confirmed_at=timezone.now(), ended_at=None, end_reason=""
    )
    return bool(updated)


def unsubscribe(subscription: Subscription, reason: str = "unsubscribed") -> None:
    Subscription.objects.filter(pk=subscription.pk).exclude(status=Status.BOUNCED).update(
        status=Status.UNSUBSCRIBED, ended_at=timezone.now(), end_reason=reason[:300]
    )


def unsubscribe_url(subscription: Subscription) -> str:
    return f"{settings.BASE_URL}/unsubscribe/{unsubscribe_token(subscription.pk)}"
