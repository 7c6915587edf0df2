"""Putting papers on a day's list (Hugging Face's Daily Papers model)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.text import slugify

from paperfeed.core.page_cache import pages_changed
from paperfeed.papers.models import DailyEntry, Organization, Paper

# Ids per query: well under the bound on an SQL statement's parameters of any SQLite build.
CHUNK = 500


@dataclass(frozen=True)
class Listing:
    paper_id: int
    date: date
    upvotes: int = 0
    submitted_by: str = ""
    organization: str = ""  # display name; "" for none
    organization_slug: str = ""  # as the source spells it, else derived from the name
    # As the source gave them (DailyEntry's fields of the same names):
    listed_at: datetime | None = None
    num_comments: int = 0  # the paper's comments at the source: Paper.source_comments
    submitter_profile: dict = field(default_factory=dict)
    thumbnail: str = ""
    media_urls: list[str] = field(default_factory=list)


def ensure_organization(name: str, slug: str = "", avatar_url: str = "") -> Organization | None:
    name = (name or "").strip()
    if not name:
        return None
    slug = slugify(slug or name)[:100] or "org"
    org, created = Organization.objects.get_or_create(slug=slug, defaults={"name": name[:200], "avatar_url": avatar_url})
    if not created and avatar_url and not org.avatar_url:
        org.avatar_url = avatar_url
        org.save(update_fields=["avatar_url"])
    return org


@transaction.atomic
def list_papers(listings: list[Listing]) -> int:
    """Create or refresh daily entries; returns how many were new.

    Imported upvote counts only ever go up: a re-import of an older response must not undo
    votes, and votes cast locally are counted separately. The paper's own count
    (Paper.source_upvotes) becomes the highest any of its lists reported: the source counts
    a paper once, so a paper on two days' lists has one count, not the sum. Its comment
    count at the source (Paper.source_comments) is kept the same way.

    What the source says of the listing: its time is the first one given (a paper goes on a
    list once); the submitter's account, the thumbnail and the media are those of the latest
    import that gives any (a renamed account, a new picture).

    The listings are applied in order, as if one at a time, but with a query per batch
    rather than a get-or-create and two updates per listing (an ingest or the sample lists
    thousands): the existing entries are read at once, the new ones inserted at once. Should
    another process list one of the same papers on the same day meanwhile (the insert then
    breaks the unique day-and-paper constraint), the batch is done again one listing at a
    time, which reads that process's entry as its own.
    """
    listings = list(listings)
    if not listings:
        return 0
    _raise_paper_counts(listings)
    organizations: dict[tuple[str, str], Organization | None] = {}
    orgs = []
    for item in listings:
        key = (item.organization, item.organization_slug)
        if key not in organizations:
            organizations[key] = ensure_organization(*key)
        orgs.append(organizations[key])
    existing = _existing_entries(listings)
    try:
        with transaction.atomic():
            created = _list_in_bulk(listings, orgs, existing)
    except IntegrityError:
        created = sum(_list_one(item, org) for item, org in zip(listings, orgs))
    pages_changed()
    return created


def _raise_paper_counts(listings: list[Listing]) -> None:
    """Each paper's source counts raised to the highest of its listings (one update per value)."""
    for field_name, attribute in (("source_upvotes", "upvotes"), ("source_comments", "num_comments")):
        highest: dict[int, int] = {}
        for item in listings:
            value = getattr(item, attribute)
            if value and value > highest.get(item.paper_id, 0):
                highest[item.paper_id] = value
        by_value: dict[int, list[int]] = {}
        for paper_id, value in highest.items():
            by_value.setdefault(value, []).append(paper_id)
        for value, paper_ids in by_value.items():
            for start in range(0, len(paper_ids), CHUNK):
                Paper.objects.filter(pk__in=paper_ids[start : start + CHUNK], **{f"{field_name}__lt": value}).update(
                    **{field_name: value}
                )


def _first_listing(item: Listing, org: Organization | None) -> dict:
    """A new entry's fields besides its day and paper, as its first listing gives them."""
    return {
        "upvotes": item.upvotes,
        "submitted_by": item.submitted_by[:150],
        "organization": org,
        "listed_at": item.listed_at,
        "submitter_profile": item.submitter_profile,
        "thumbnail": item.thumbnail[:500],
        "media_urls": item.media_urls,
    }


def _refresh(entry: DailyEntry, item: Listing, org: Organization | None) -> list[str]:
    """What a later listing of the same paper on the same day changes in its entry."""
    fields = []
    if item.upvotes > entry.upvotes:
        entry.upvotes = item.upvotes
        fields.append("upvotes")
    if item.submitted_by and not entry.submitted_by:
        entry.submitted_by = item.submitted_by[:150]
        fields.append("submitted_by")
    if org and entry.organization_id is None:
        entry.organization = org
        fields.append("organization")
    if item.listed_at and entry.listed_at is None:
        entry.listed_at = item.listed_at
        fields.append("listed_at")
    for name in ("submitter_profile", "thumbnail", "media_urls"):
        value = getattr(item, name)
        if value and getattr(entry, name) != value:
            setattr(entry, name, value)
            fields.append(name)
    return fields


def _existing_entries(listings: list[Listing]) -> dict[tuple[date, int], DailyEntry]:
    paper_ids = sorted({item.paper_id for item in listings})
    days = {item.date for item in listings}
    existing = {}
    for start in range(0, len(paper_ids), CHUNK):
        for entry in DailyEntry.objects.filter(paper_id__in=paper_ids[start : start + CHUNK]):
            if entry.date in days:
                existing[(entry.date, entry.paper_id)] = entry
    return existing


def _list_in_bulk(listings: list[Listing], orgs: list[Organization | None], existing: dict) -> int:
    new: dict[tuple, DailyEntry] = {}
    changed: dict[tuple, set[str]] = {}
    for item, org in zip(listings, orgs):
        key = (item.date, item.paper_id)
        if key in new:
            _refresh(new[key], item, org)  # inserted below with what the later listing changed
        elif key in existing:
            changed.setdefault(key, set()).update(_refresh(existing[key], item, org))
        else:
            new[key] = DailyEntry(date=item.date, paper_id=item.paper_id, **_first_listing(item, org))
    DailyEntry.objects.bulk_create(new.values(), batch_size=500)
    # One update per set of changed fields, not a save() per entry: listing a day again
    # mostly raises the votes of every one of its entries, and save() would also send
    # post_save, whose page-cache hook (papers/apps.py) is for rows saved one at a time;
    # list_papers announces the whole batch once.
    by_fields: dict[tuple[str, ...], list[DailyEntry]] = {}
    for key, fields in changed.items():
        if fields:
            by_fields.setdefault(tuple(sorted(fields)), []).append(existing[key])
    for fields, entries in by_fields.items():
        DailyEntry.objects.bulk_update(entries, fields, batch_size=CHUNK)
    return len(new)


def _list_one(item: Listing, org: Organization | None) -> int:
    entry, is_new = DailyEntry.objects.get_or_create(
        date=item.date, paper_id=item.paper_id, defaults=_first_listing(item, org)
    )
    if is_new:
        return 1
    if fields := _refresh(entry, item, org):
        entry.save(update_fields=fields)
    return 0


def one_per_paper(entries, until: date | None = None, **same):
    """`entries` (a DailyEntry queryset) keeping each paper's latest one: a list of more than
    one day shows a paper listed on several of its days once. A later entry counts only if it
    is on or before `until` and matches the `same` filters, i.e. lies in the list too."""
    later = DailyEntry.objects.filter(paper=OuterRef("paper"), date__gt=OuterRef("date"), **same)
    if until is not None:
        later = later.filter(date__lte=until)
    return entries.exclude(Exists(later))
