"""Mark a reader's picks out of date whenever one of their signals changes.

Only an UPDATE of an existing PickState row: a reader without one has never had picks
computed, which For you already treats as out of date; and never creating a row here keeps a
cascade (deleting a user deletes their votes) from re-creating state for a user on the way out.
"""

from __future__ import annotations

from django.db.models import F
from django.db.models.signals import post_delete, post_save

from paperfeed.community.collections.models import Collection, CollectionItem
from paperfeed.community.votes.models import Vote
from paperfeed.personal.models import FollowedAuthor, MuteRule, NotInterested, PickState, Preferences


def mark_stale(user_ids) -> None:
    PickState.objects.filter(user_id__in=user_ids).update(version=F("version") + 1)


def _by_user(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # loading fixtures or a backup: nothing was done by the reader
    mark_stale([instance.user_id])


def _by_preferences(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    """Only the categories feed the picks: a row made empty (for the feed's secret) or a
    rotated feed token changes nothing, and marking the picks stale then would recompute a
    nightly batch's picks on the next view."""
    if kwargs.get("raw"):
        return
    if created and not instance.categories:
        return
    if update_fields is not None and "categories" not in update_fields:
        return
    mark_stale([instance.user_id])


def _by_collection_owner(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    mark_stale(Collection.objects.filter(pk=instance.collection_id).values("owner_id"))


def connect() -> None:
    for model in (Vote, NotInterested, FollowedAuthor, MuteRule, Preferences):
        post_delete.connect(_by_user, sender=model, dispatch_uid=f"picks-stale-{model._meta.label}-delete")
        handler = _by_preferences if model is Preferences else _by_user
        post_save.connect(handler, sender=model, dispatch_uid=f"picks-stale-{model._meta.label}-save")
    post_save.connect(_by_collection_owner, sender=CollectionItem, dispatch_uid="picks-stale-item-save")
    post_delete.connect(_by_collection_owner, sender=CollectionItem, dispatch_uid="picks-stale-item-delete")
