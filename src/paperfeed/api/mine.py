"""An account's own things through the API: who am I, collections, the digest subscription."""

from __future__ import annotations

from django.http import Http404

from paperfeed.api.auth import AuthError, token_user
from paperfeed.api.collections import collection_json
from paperfeed.api.http import ApiError, json_body, json_object
from paperfeed.api.papers import paper_or_404
from paperfeed.api.serializers import iso
from paperfeed.community.collections import saving
from paperfeed.community.collections.models import Collection
from paperfeed.digests import subscriptions
from paperfeed.digests.models import Subscription


def reader(request):
    """The account behind a read of private data: a token, or the session (CORS keeps the
    answer from other sites: a wildcard origin never shares a response made with cookies)."""
    user = token_user(request)
    if user is None and getattr(request, "user", None) is not None and request.user.is_authenticated:
        user = request.user
    if user is None:
        raise AuthError("Authentication required: send `Authorization: Bearer <token>`.")
    return user


def whoami(request):
    """Hugging Face's /api/whoami-v2, so `HfApi(token=…).whoami()` names the account."""
    user = reader(request)
    token = getattr(request, "api_token", None)
    data = {"type": "user", "name": user.get_username(), "fullname": user.get_full_name() or user.get_username()}
    if token is not None:
        data["auth"] = {"type": "access_token", "accessToken": {"displayName": token.name, "role": "write"}}
    return json_object(data)


def _own_collection(user, slug: str) -> Collection:
    collection = Collection.objects.filter(owner=user, slug=slug).select_related("owner").first()
    if collection is None:
        raise Http404("Collection not found.")
    return collection


# paperfeed's first collection routes, by the bare slug of one of the caller's collections; the
# Hugging Face-shaped ones (api/collections.py) take "owner/slug". Both answer the same object.


def add_to_collection(request, user, slug: str):
    collection = _own_collection(user, slug)
    arxiv_id = json_body(request).get("arxivId")
    if not isinstance(arxiv_id, str):
        raise ApiError("arxivId must be an arXiv identifier such as 2410.17243.")
    paper = paper_or_404(arxiv_id)
    try:
        added = saving.add_paper(collection, paper)
    except saving.LimitReached as exc:
        raise ApiError(str(exc), 409) from None
    collection.refresh_from_db()
    return json_object({"added": added, "collection": collection_json(request, collection)})


def remove_from_collection(request, user, slug: str, arxiv_id: str):
    collection = _own_collection(user, slug)
    removed = saving.remove_paper(collection, paper_or_404(arxiv_id))
    collection.refresh_from_db()
    return json_object({"removed": removed, "collection": collection_json(request, collection)})


def subscription_json(subscription: Subscription) -> dict:
    return {
        "email": subscription.email,
        "period": subscription.period,
        "status": subscription.status,
        "createdAt": iso(subscription.created_at),
        "confirmedAt": iso(subscription.confirmed_at),
        "endedAt": iso(subscription.ended_at),
    }


def _subscription_of(user) -> Subscription | None:
    return (
        Subscription.objects.filter(user=user).first()
        or (Subscription.objects.filter(email__iexact=user.email).first() if user.email else None)
    )


def my_subscription(request):
    subscription = _subscription_of(reader(request))
    if subscription is None:
        raise Http404("No digest subscription.")
    return json_object(subscription_json(subscription))


def subscribe(request, user):
    """Double opt-in as on the site: a confirmation mail goes to the account's address."""
    period = json_body(request).get("period", "daily")
    if period not in Subscription.Period.values:
        raise ApiError(f"period must be one of: {', '.join(Subscription.Period.values)}.")
    if not user.email:
        raise ApiError("Your account has no e-mail address; add one on the account settings page.")
    result = subscriptions.subscribe(user.email, period, user=user)
    return json_object({"result": result, "subscription": subscription_json(_subscription_of(user))})


def unsubscribe(request, user):
    subscription = _subscription_of(user)
    if subscription is None:
        raise Http404("No digest subscription.")
    subscriptions.unsubscribe(subscription)
    subscription.refresh_from_db()
    return json_object(subscription_json(subscription))
