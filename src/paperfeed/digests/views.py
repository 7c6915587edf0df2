"""Subscribe (double opt-in), confirm, unsubscribe (one click, RFC 8058) and the web view."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from paperfeed.community.accounts.throttle import Limit, client_ip
from paperfeed.digests import subscriptions
from paperfeed.digests.compose import compose
from paperfeed.digests.forms import PERIOD_HELP, DigestPreferencesForm, SubscribeForm
from paperfeed.digests.models import Subscription
from paperfeed.digests.periods import digest_period
from paperfeed.digests.tokens import read_confirm_token, read_unsubscribe_token
from paperfeed.papers.periods import parse_day, parse_week

SUBSCRIBE_PER_IP = Limit("subscribe-ip", count=10, window=timedelta(hours=1))
SUBSCRIBE_PER_ADDRESS = Limit("subscribe-email", count=3, window=timedelta(hours=24))


@require_http_methods(["GET", "POST"])
def subscribe_page(request):
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    form = SubscribeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not SUBSCRIBE_PER_IP.allow(client_ip(request)) or not SUBSCRIBE_PER_ADDRESS.allow(email.lower()):
            response = render(request, "digests/subscribe.html", {"form": form, "throttled": True}, status=429)
            response["Retry-After"] = str(SUBSCRIBE_PER_IP.retry_after(client_ip(request)))
            return response
        user = request.user if request.user.is_authenticated and request.user.email.lower() == email.lower() else None
        subscriptions.subscribe(
            email,
            form.cleaned_data["period"],
            user=user,
            notify_no_announcement=form.cleaned_data["notify_no_announcement"],
        )
        # The same answer whatever the address's state: the page must not tell strangers
        # who is subscribed.
        return render(request, "digests/subscribe_sent.html", {"email": email})
    return render(request, "digests/subscribe.html", {"form": form})


@require_http_methods(["GET", "POST"])
def confirm_page(request, token: str):
    subscription_id = read_confirm_token(token)
    subscription = Subscription.objects.filter(pk=subscription_id).first() if subscription_id else None
    if subscription is None:
        return render(request, "digests/link_invalid.html", {"what": "confirmation"}, status=404)
    # A GET only shows a button: mail scanners that follow links must not confirm for people.
    confirmed = request.method == "POST" and subscriptions.confirm(subscription)
    subscription.refresh_from_db()
    return render(request, "digests/confirm.html", {"subscription": subscription, "confirmed": confirmed})


@csrf_exempt  # the signed token is the credential; RFC 8058 POSTs come from mail clients, without cookies
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request, token: str):
    subscription_id = read_unsubscribe_token(token)
    subscription = Subscription.objects.filter(pk=subscription_id).first() if subscription_id else None
    if subscription is None:
        return render(request, "digests/link_invalid.html", {"what": "unsubscribe"}, status=404)
    if request.method == "POST":
        subscriptions.unsubscribe(
            subscription,
            reason="one-click unsubscribe" if request.POST.get("List-Unsubscribe") == "One-Click" else "unsubscribed",
        )
        subscription.refresh_from_db()
        return render(request, "digests/unsubscribed.html", {"subscription": subscription})
    return render(request, "digests/unsubscribe.html", {"subscription": subscription})


def digest_web(request, kind: str, slug: str):
    """A digest as a page: the same sections as the mail, for anyone (personal ones when
    the reader has a subscription)."""
    parsed = parse_day(slug) if kind == "daily" else parse_week(slug) if kind == "weekly" else None
    if parsed is None:
        raise Http404("Daily digests look like /digests/daily/2026-11-26, weekly ones like /digests/weekly/2026-W48.")
    period = digest_period(kind, parsed.start)
    subscription = None
    if request.user.is_authenticated:
        subscription = Subscription.objects.filter(user=request.user).first()
    digest = compose(subscription or Subscription(email="", period=kind, notify_no_announcement=True), period)
    return render(request, "digests/web.html", {"digest": digest, "period": period})


@login_required
@require_http_methods(["GET", "POST"])
def digest_settings(request):
    """A reader's digest: subscribe with the account's address, choose what and when."""
    subscription = (
        Subscription.objects.filter(user=request.user).first()
        or Subscription.objects.filter(email__iexact=request.user.email).first()
        if request.user.email
        else None
    )
    if request.method == "POST" and request.POST.get("action") == "subscribe":
        if not request.user.email:
            return render(request, "digests/settings.html", {"no_email": True}, status=400)
        period = request.POST.get("period", "daily")
        if period not in Subscription.Period.values:
            # Only the form's radio buttons name a period; anything else would be stored as a
            # subscription that no digest run ever sends.
            return render(
                request,
                "digests/settings.html",
                {"subscription": subscription, "period_error": True, "period_help": PERIOD_HELP},
                status=400,
            )
        subscriptions.subscribe(request.user.email, period, user=request.user)
        return redirect("digest-settings")
    if request.method == "POST" and request.POST.get("action") == "unsubscribe" and subscription:
        subscriptions.unsubscribe(subscription)
        return redirect("digest-settings")
    form = DigestPreferencesForm(request.POST or None, instance=subscription) if subscription else None
    saved = False
    if request.method == "POST" and form is not None and form.is_valid():
        form.save()
        saved = True
    status = 400 if form is not None and form.errors else 200
    return render(
        request,
        "digests/settings.html",
        {
            "subscription": subscription,
            "form": form,
            "saved": saved,
            "no_email": not request.user.email,
            "period_help": PERIOD_HELP,
        },
        status=status,
    )
