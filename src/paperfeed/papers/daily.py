"""Putting papers on a day's list (Hugging Face's Daily Papers model)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.text import slugify

from paperfeed.core.page_cache import pages_changed
from paperfeed.papers.models import DailyEntry, Organization, Paper


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
    """
    created = 0
    for item in listings:
        if item.upvotes:
            Paper.objects.filter(Q(source_upvotes__lt=item.upvotes), pk=item.paper_id).update(source_upvotes=item.upvotes)
        if item.num_comments:
            Paper.objects.filter(Q(source_comments__lt=item.num_comments), pk=item.paper_id).update(
                source_comments=item.num_comments
            )
        org = ensure_organization(item.organization, item.organization_slug)
        entry, is_new = DailyEntry.objects.get_or_create(
            date=item.date,
            paper_id=item.paper_id,
            defaults={
                "upvotes": item.upvotes,
                "submitted_by": item.submitted_by[:150],
                "organization": org,
                "listed_at": item.listed_at,
                "submitter_profile": item.submitter_profile,
                "thumbnail": item.thumbnail[:500],
                "media_urls": item.media_urls,
            },
        )
        if is_new:
            created += 1
            continue
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
        if fields:
            entry.save(update_fields=fields)
    if listings:
        pages_changed()
    return created


def one_per_paper(entries, until: date | None = None, **same):
    """`entries` (a DailyEntry queryset) keeping each paper's latest one: a list of more than
    one day shows a paper listed on several of its days once. A later entry counts only if it
    is on or before `until` and matches the `same` filters, i.e. lies in the list too."""
    later = DailyEntry.objects.filter(paper=OuterRef("paper"), date__gt=OuterRef("date"), **same)
    if until is not None:
        later = later.filter(date__lte=until)
    return entries.exclude(Exists(later))
