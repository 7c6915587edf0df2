"""Everything the site keeps about one account, as one JSON document (`paperfeed export --user`,
GET /api/export/me, the "Download my data" link).

SECTIONS names, for each model that holds user data, the part of the export it goes into;
tests/api/test_export.py fails when a model with a link to the user model is not listed,
so a new feature cannot forget its users' data. Secrets are left out: password hashes, API
token hashes, the personal feed token.
"""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.admin.models import LogEntry
from django.utils import timezone

from paperfeed.api.models import ApiToken
from paperfeed.api.serializers import iso
from paperfeed.community.claims.models import AuthorshipClaim
from paperfeed.community.collections.models import Collection, CollectionItem
from paperfeed.community.discussion.models import Comment
from paperfeed.community.orgs.models import Membership
from paperfeed.community.votes.models import Vote
from paperfeed.digests.models import Delivery, Subscription
from paperfeed.papers.models import DailyEntry
from paperfeed.personal.models import (
    FollowedAuthor,
    MuteRule,
    NotInterested,
    PickState,
    Preferences,
    Recommendation,
    SavedSearch,
)

FORMAT = "paperfeed-user-export"
VERSION = 1


def _plain(value):
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _rows(queryset, **fields: str) -> list[dict]:
    """Rows as dicts of the export's field names; fields map export name → ORM lookup."""
    return [
        {name: _plain(row[lookup]) for name, lookup in fields.items()}
        for row in queryset.values(*fields.values())
    ]


def _account(user) -> dict:
    return {
        "username": user.get_username(),
        "email": user.email,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "dateJoined": iso(user.date_joined),
        "lastLogin": iso(user.last_login),
        "isStaff": user.is_staff,
        "groups": sorted(user.groups.values_list("name", flat=True)),
    }


def _collections(user) -> list[dict]:
    items: dict[int, list[dict]] = {}
    for item in CollectionItem.objects.filter(collection__owner=user).select_related("paper").order_by("added_at"):
        items.setdefault(item.collection_id, []).append({"paper": item.paper.arxiv_id, "addedAt": iso(item.added_at)})
    return [
        {
            "slug": c.slug, "name": c.name, "description": c.description, "public": c.public,
            "createdAt": iso(c.created_at), "updatedAt": iso(c.updated_at), "papers": items.get(c.pk, []),
        }
        for c in Collection.objects.filter(owner=user).order_by("created_at")
    ]


def _subscriptions(user) -> list[dict]:
    own = Subscription.objects.filter(user=user)
    if user.email:
        own = own | Subscription.objects.filter(email__iexact=user.email)
    result = []
    for sub in own.distinct().order_by("created_at"):
        data = _rows(
            Subscription.objects.filter(pk=sub.pk),
            email="email", period="period", status="status", includeTrending="include_trending",
            includePersonal="include_personal", includeSavedSearches="include_saved_searches",
            includeFollowedAuthors="include_followed_authors", includeNewVersions="include_new_versions",
            notifyNoAnnouncement="notify_no_announcement", timezone="timezone", sendHour="send_hour",
            createdAt="created_at", confirmedAt="confirmed_at", endedAt="ended_at", endReason="end_reason",
        )[0]
        data["deliveries"] = _rows(
            Delivery.objects.filter(subscription=sub).order_by("created_at"),
            period="period_key", state="state", subject="subject", papers="papers", sentAt="sent_at",
            createdAt="created_at",
        )
        result.append(data)
    return result


def _preferences(user) -> dict | None:
    prefs = Preferences.objects.filter(user=user).first()
    # The feed token is a credential (it opens the personal feed): its existence only.
    return {"categories": prefs.category_codes, "hasPersonalFeed": bool(prefs.feed_token)} if prefs else None


def _sections(user) -> dict:
    return {
        "votes": _rows(Vote.objects.filter(user=user).order_by("created_at"), paper="paper__arxiv_id", createdAt="created_at"),
        "comments": _rows(
            Comment.objects.filter(author=user).order_by("created_at"),
            paper="paper__arxiv_id", id="id", parent="parent_id", body="body", createdAt="created_at",
            editedAt="edited_at", deleted="deleted", hidden="hidden",
        ),
        "collections": _collections(user),
        "submissions": _rows(
            DailyEntry.objects.filter(submitter=user).order_by("date"),
            paper="paper__arxiv_id", date="date", organization="organization__slug", addedAt="added_at",
        ),
        "organizations": _rows(
            Membership.objects.filter(user=user).order_by("created_at"),
            organization="organization__slug", role="role", createdAt="created_at",
        ),
        "authorshipClaims": _rows(
            AuthorshipClaim.objects.filter(user=user).order_by("created_at"),
            paper="paper__arxiv_id", author="author__name", message="message", status="status",
            createdAt="created_at", reviewedAt="reviewed_at", reviewNote="review_note",
        ),
        "preferences": _preferences(user),
        "savedSearches": _rows(
            SavedSearch.objects.filter(user=user), query="query", threshold="threshold", createdAt="created_at"
        ),
        "muteRules": _rows(MuteRule.objects.filter(user=user), kind="kind", value="value", createdAt="created_at"),
        "followedAuthors": _rows(
            FollowedAuthor.objects.filter(user=user).order_by("created_at"), author="author__name", createdAt="created_at"
        ),
        "notInterested": _rows(
            NotInterested.objects.filter(user=user).order_by("created_at"), paper="paper__arxiv_id", createdAt="created_at"
        ),
        "recommendations": _rows(
            Recommendation.objects.filter(user=user), paper="paper__arxiv_id", score="score", because="because",
            source="source", createdAt="created_at",
        ),
        # When For you last recomputed the picks above (personal/fresh.py); None if never.
        "picksComputedAt": iso(state.computed_at)
        if (state := PickState.objects.filter(user=user).first()) and state.computed_at
        else None,
        "subscriptions": _subscriptions(user),
        "apiTokens": _rows(
            ApiToken.objects.filter(user=user).order_by("created_at"),
            name="name", prefix="prefix", createdAt="created_at", lastUsedAt="last_used_at", revokedAt="revoked_at",
        ),
        "adminActions": _rows(
            LogEntry.objects.filter(user=user).order_by("action_time"),
            time="action_time", object="object_repr", action="action_flag", change="change_message",
        ),
    }


# Which section holds each model's rows (model label → section): the completeness test's list.
SECTIONS = {
    "votes.Vote": "votes",
    "discussion.Comment": "comments",
    "collections.Collection": "collections",
    "collections.CollectionItem": "collections",
    "papers.DailyEntry": "submissions",
    "orgs.Membership": "organizations",
    "claims.AuthorshipClaim": "authorshipClaims",
    "personal.Preferences": "preferences",
    "personal.SavedSearch": "savedSearches",
    "personal.MuteRule": "muteRules",
    "personal.FollowedAuthor": "followedAuthors",
    "personal.NotInterested": "notInterested",
    "personal.Recommendation": "recommendations",
    "personal.PickState": "picksComputedAt",
    "digests.Subscription": "subscriptions",
    "digests.Delivery": "subscriptions",
    "api.ApiToken": "apiTokens",
    "admin.LogEntry": "adminActions",
}


def export_user(user) -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "exportedAt": iso(timezone.now()),
        "account": _account(user),
        **_sections(user),
    }
