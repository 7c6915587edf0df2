"""Creating collections and putting papers in them, within the per-user limits.

Limits keep one account from filling the database: MAX_COLLECTIONS per user, MAX_ITEMS per
collection. Counts are checked inside the writing transaction (SQLite IMMEDIATE serialises
writers; on PostgreSQL two racing requests can overshoot by one, which is harmless).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from paperfeed.community.collections.models import Collection, CollectionItem

MAX_COLLECTIONS = 200
MAX_ITEMS = 5000
_SLUG_LENGTH = 90  # leaves room for a "-12" suffix within the field's 100


class LimitReached(Exception):
    pass


def base_slug(name: str) -> str:
    return slugify(name)[:_SLUG_LENGTH].strip("-") or "collection"


def create_collection(owner, name: str, description: str = "", public: bool = False) -> Collection:
    """A new collection with a slug unique for its owner: the name slugified, "-2", "-3"… on a clash."""
    base = base_slug(name)
    with transaction.atomic():
        if Collection.objects.filter(owner=owner).count() >= MAX_COLLECTIONS:
            raise LimitReached(f"You have {MAX_COLLECTIONS} collections, the most one account may have.")
        taken = set(Collection.objects.filter(owner=owner, slug__startswith=base).values_list("slug", flat=True))
        for n in range(1, MAX_COLLECTIONS + 2):
            slug = base if n == 1 else f"{base}-{n}"
            if slug in taken:
                continue
            try:
                with transaction.atomic():
                    return Collection.objects.create(
                        owner=owner,
                        name=name,
                        slug=slug,
                        description=description,
                        public=public,
                    )
            except IntegrityError:
                continue  # taken by a concurrent request of the same owner: try the next suffix
    raise LimitReached("No free name for this collection; choose another name.")


def add_paper(collection: Collection, paper, note: str = "") -> bool:
    """Put the paper last in the collection; False if it was there already."""
    with transaction.atomic():
        if CollectionItem.objects.filter(collection=collection, paper=paper).exists():
            return False
        items = CollectionItem.objects.filter(collection=collection)
        if items.count() >= MAX_ITEMS:
            raise LimitReached(f"“{collection.name}” holds {MAX_ITEMS:,} papers, the most a collection may hold.")
        last = items.aggregate(last=Max("position"))["last"]
        try:
            with transaction.atomic():
                CollectionItem.objects.create(
                    collection=collection, paper=paper, note=note, position=0 if last is None else last + 1
                )
        except IntegrityError:
            return False  # a double click: the other request added it
        collection.save(update_fields=["updated_at"])  # recently changed collections list first
    return True


def move_item(item: CollectionItem, position: int) -> None:
    """Put the item at `position` (0 is first; past the end means last) and number the
    collection's items 0, 1, 2… again, so positions stay unique after any move or removal."""
    with transaction.atomic():
        items = list(CollectionItem.objects.filter(collection_id=item.collection_id).order_by("position", "id"))
        items = [other for other in items if other.pk != item.pk]
        items.insert(min(position, len(items)), item)
        for number, each in enumerate(items):
            each.position = number
        CollectionItem.objects.bulk_update(items, ["position"])
        Collection.objects.filter(pk=item.collection_id).update(updated_at=timezone.now())


def set_note(item: CollectionItem, note: str) -> None:
    CollectionItem.objects.filter(pk=item.pk).update(note=note)
    Collection.objects.filter(pk=item.collection_id).update(updated_at=timezone.now())


def remove_paper(collection: Collection, paper) -> bool:
    deleted, _ = CollectionItem.objects.filter(collection=collection, paper=paper).delete()
    if deleted:
        collection.save(update_fields=["updated_at"])
    return bool(deleted)


# -- which papers on a page the user has saved (one query per request) --------------------


def _cache(request) -> dict:
    cache = getattr(request, "_paperfeed_saved", None)
    if cache is None:
        cache = {"covered": set(), "saved": set(), "complete": False}
        request._paperfeed_saved = cache
    return cache


def _user(request):
    user = getattr(request, "user", None)
    return user if (user is not None and user.is_authenticated) else None


def prime(request, paper_ids) -> None:
    user = _user(request)
    if user is None:
        return
    cache = _cache(request)
    ids = set(paper_ids) - cache["covered"]
    if ids:
        cache["saved"] |= set(
            CollectionItem.objects.filter(collection__owner=user, paper_id__in=ids).values_list("paper_id", flat=True)
        )
        cache["covered"] |= ids


def has_saved(request, paper_id: int) -> bool:
    user = _user(request)
    if user is None:
        return False
    cache = _cache(request)
    if paper_id not in cache["covered"] and not cache["complete"]:
        cache["saved"] = set(
            CollectionItem.objects.filter(collection__owner=user).values_list("paper_id", flat=True).distinct()
        )
        cache["complete"] = True
    return paper_id in cache["saved"]
