"""A reader's signals and the model trained on them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models


def _feed_token() -> str:
    return secrets.token_urlsafe(24)


def new_feed_token() -> str:
    return _feed_token()


class Preferences(models.Model):
    """Cold-start interests and the secret personal feed token."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences")
    # arXiv categories the reader cares about, space-separated ("cs.LG cs.CL").
    categories = models.CharField(max_length=500, blank=True)
    # The secret in the personal feed URL; rotate it to revoke old links.
    feed_token = models.CharField(max_length=64, unique=True, default=_feed_token)

    @property
    def category_codes(self) -> list[str]:
        return self.categories.split()


class MuteRule(models.Model):
    """Hide papers everywhere (feeds, search, For you, digests)."""

    class Kind(models.TextChoices):
        KEYWORD = "keyword"  # case-insensitive, in the title or abstract
        CATEGORY = "category"  # any of the paper's arXiv categories
        AUTHOR = "author"  # an author's name as on the byline (case-insensitive)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mute_rules")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [models.UniqueConstraint(fields=["user", "kind", "value"], name="mute_rule_once")]

    def __str__(self) -> str:
        return f"{self.user}: mute {self.kind} {self.value!r}"


class FollowedAuthor(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_authors")
    author = models.ForeignKey("papers.Author", on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "author"], name="follow_once")]


class SavedSearch(models.Model):
    """A query run against new papers; matches above the threshold go in the digest and feed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    query = models.CharField(max_length=500)
    # Hybrid relevance (0–1) a new paper needs to count as a match.
    threshold = models.FloatField(default=0.5)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "query"], name="saved_search_once")]

    def __str__(self) -> str:
        return f"{self.user}: {self.query}"


class NotInterested(models.Model):
    """A negative signal: "show me fewer like this" (and never this one again)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="not_interested")
    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="not_interested_once")]


class Recommendation(models.Model):
    """One pick for one reader — of the nightly model (recommend.py) or of the on-demand
    refresh (fresh.py) — with the reader's own papers that are nearest to it, or a reason in
    words when no own paper led to it (the "why")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recommendations")
    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    because = models.JSONField(default=list)  # paper ids of the reader's nearest positives
    source = models.CharField(max_length=20, default="model")  # "model" | "nearest" | "cold-start"
    # Said instead of "Because you liked …" when no own paper led here ("By X, whom you follow").
    reason = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score"]
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="recommendation_once")]


class PickState(models.Model):
    """Whether a reader's stored picks still reflect their signals.

    Every upvote, save, "not interested", follow, mute or category change bumps `version`
    (personal/signals.py); For you refreshes the picks when `computed_version` is behind, so a
    reader sees picks for what they just did without anyone running a command. A missing row
    means "never computed"."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    version = models.PositiveBigIntegerField(default=1)
    computed_version = models.PositiveBigIntegerField(default=0)
    computed_at = models.DateTimeField(null=True, blank=True)

    @property
    def stale(self) -> bool:
        return self.computed_version < self.version
