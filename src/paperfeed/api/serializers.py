"""Models → Hugging Face's JSON shapes (recorded in shared/fixtures/hf/, listed in PRODUCT.md).

Field names and nesting are Hugging Face's, so its clients read them unchanged. What an
import from Hugging Face kept is served as it came (listing time, submitter's account,
`thumbnail`, `mediaUrls`, claimed authors, `githubStars`, `ai_summary`, `ai_keywords`);
values paperfeed does not have are left out rather than invented. `thumbnail` is the
first-page image `paperfeed thumbnails` made where there is one, else the source's, else "".
Counts are the source's + local ones (upvotes, numComments). Objects are given 24-hex `_id`s
like Hugging Face's, made from our primary keys (they name this instance's rows and threads).

A page of papers is serialised from a PaperBatch: a fixed handful of queries for the
whole page (authors, claims, daily entries, imported votes), never one per paper.
"""

from __future__ import annotations

import re

from collections import defaultdict
from datetime import UTC, datetime, time


from paperfeed.community.claims.models import AuthorshipClaim
from paperfeed.community.discussion.models import Comment
from paperfeed.papers.models import DailyEntry, Organization, Paper, PaperAuthor
from paperfeed.thumbnails import files as thumbnail_files


def iso(when: datetime | None) -> str | None:
    """Hugging Face's timestamp format: UTC, milliseconds, "Z"."""
    if when is None:
        return None
    when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def object_id(pk: int) -> str:
    return f"{pk:024x}"


_OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}")


def pk_of_object_id(text: object) -> int | None:
    """The primary key an `object_id` was made from; None for anything else (int() alone
    would also take "0x…", "_" and white space)."""
    return int(text, 16) if isinstance(text, str) and _OBJECT_ID.fullmatch(text) else None


def listed_at(entry: DailyEntry) -> datetime:
    """When the paper went on the day's list: the moment it was added when that was on the
    day itself (a submission), else the start of the day (a back-filled day). An imported
    listing has the time its source gave."""
    if entry.listed_at is not None:
        return entry.listed_at
    if entry.added_at is not None and entry.added_at.astimezone(UTC).date() == entry.date:
        return entry.added_at
    return datetime.combine(entry.date, time.min, tzinfo=UTC)


def user_json(user) -> dict:
    # Hugging Face names the login "name" in submittedBy and "user" in an author's user:
    # both are given so either reader finds it.
    return {
        "_id": object_id(user.pk),
        "avatarUrl": "",
        "fullname": user.get_full_name() or user.get_username(),
        "name": user.get_username(),
        "user": user.get_username(),
        "type": "user",
        "isPro": False,
    }


def remote_user_json(name: str, profile: dict | None = None) -> dict:
    """A submitter imported from Hugging Face: the account as it came (DailyEntry
    .submitter_profile), with the login under both names; defaults where it said nothing."""
    data = {"avatarUrl": "", "fullname": name, "name": name, "user": name, "type": "user", "isPro": False}
    data.update(profile or {})
    data["name"] = data["user"] = name or data.get("name") or data.get("user") or ""
    return data


def organization_json(org: Organization) -> dict:
    return {"_id": object_id(org.pk), "name": org.slug, "fullname": org.name, "avatarUrl": org.avatar_url}


class PaperBatch:
    """Everything the JSON of these papers needs, loaded up front."""

    def __init__(self, paper_ids: list[int]):
        ids = list(dict.fromkeys(paper_ids))
        self.authors: dict[int, list[PaperAuthor]] = defaultdict(list)
        for row in PaperAuthor.objects.filter(paper_id__in=ids).select_related("author").order_by("paper_id", "position"):
            self.authors[row.paper_id].append(row)
        self.claims: dict[tuple[int, int], object] = {}
        self.claimants: dict[int, set[int]] = defaultdict(set)
        approved = AuthorshipClaim.objects.filter(paper_id__in=ids, status=AuthorshipClaim.Status.APPROVED)
        for claim in approved.select_related("user"):
            self.claimants[claim.paper_id].add(claim.user_id)
            if claim.author_id is not None:
                self.claims[(claim.paper_id, claim.author_id)] = claim
        self.first_entry: dict[int, DailyEntry] = {}
        entries = DailyEntry.objects.filter(paper_id__in=ids).select_related("organization", "submitter").order_by("-date")
        for entry in entries:
            self.first_entry[entry.paper_id] = entry  # ordered newest first: the earliest wins
        claimant_ids = {user for users in self.claimants.values() for user in users}
        self.participating = set(
            Comment.objects.filter(paper_id__in=ids, author_id__in=claimant_ids, deleted=False, hidden=False)
            .values_list("paper_id", "author_id")
            .distinct()
        ) if claimant_ids else set()

    def upvotes(self, paper: Paper) -> int:
        """The paper's one count, as every page shows it: the source's + local votes."""
        return paper.total_upvotes

    def author_participates(self, paper: Paper) -> bool:
        return any((paper.pk, user) in self.participating for user in self.claimants.get(paper.pk, ()))

    def _authors(self, paper: Paper) -> list[dict]:
        # The source's entries are matched to the byline by name, in order (a name may recur).
        given: dict[str, list[dict]] = defaultdict(list)
        for entry in paper.source_authors or []:
            if isinstance(entry, dict):
                given[entry.get("name", "")].append(entry)
        return [self._author(paper, row, given) for row in self.authors.get(paper.pk, [])]

    def _author(self, paper: Paper, row: PaperAuthor, given: dict[str, list[dict]]) -> dict:
        author = {"_id": object_id(row.pk), "name": row.author.name, "hidden": False}
        source = given[row.author.name].pop(0) if given.get(row.author.name) else {}
        for key in ("status", "statusLastChangedAt", "hidden"):
            if key in source:
                author[key] = source[key]
        if source.get("user"):
            profile = source["user"]
            author["user"] = remote_user_json(profile.get("user") or profile.get("name") or "", profile)
        claim = self.claims.get((paper.pk, row.author_id))
        # A claim approved here is this instance's word and replaces the source's.
        if claim is not None:
            author["user"] = user_json(claim.user)
            author["status"] = "claimed_verified"
            author["statusLastChangedAt"] = iso(claim.reviewed_at or claim.created_at)
        return author

    def paper(self, paper: Paper) -> dict:
        """The `paper` object of a daily item, and the body of GET /api/papers/<id>."""
        data = {
            "id": paper.arxiv_id,
            "authors": self._authors(paper),
            "publishedAt": iso(paper.published or paper.created_at),
            "title": paper.title,
            "summary": paper.abstract,
            "upvotes": self.upvotes(paper),
            "discussionId": object_id(paper.pk),
            "numComments": paper.total_comments,
        }
        entry = self.first_entry.get(paper.pk)
        if entry is not None:
            data["submittedOnDailyAt"] = iso(listed_at(entry))
            submitter = _submitter(entry)
            if submitter is not None:
                data["submittedOnDailyBy"] = submitter
            if entry.organization is not None:
                data["organization"] = organization_json(entry.organization)
        if paper.project_page:
            data["projectPage"] = paper.project_page
        if paper.github_repo:
            data["githubRepo"] = paper.github_repo
        if paper.github_stars is not None:
            data["githubStars"] = paper.github_stars
        if paper.ai_summary:
            data["ai_summary"] = paper.ai_summary
        if paper.ai_keywords:
            data["ai_keywords"] = list(paper.ai_keywords)
        if paper.withdrawn:
            # arXiv does not date a withdrawal; the last version (the withdrawal notice) does.
            data["withdrawnAt"] = iso(paper.updated or paper.modified_at)
        return data

    def item(self, paper: Paper, entry: DailyEntry | None = None) -> dict:
        """A daily-papers item (also a search result): the paper and its listing."""
        entry = entry or self.first_entry.get(paper.pk)
        data = {
            "paper": self.paper(paper),
            "publishedAt": iso(listed_at(entry) if entry else (paper.published or paper.created_at)),
            "title": paper.title,
            "summary": paper.abstract,
            # Our first-page image first: this instance serves it, whatever the source does.
            "thumbnail": thumbnail_files.url_for(paper, absolute=True) or (entry.thumbnail if entry else ""),
            "mediaUrls": list(entry.media_urls) if entry else [],
            "numComments": paper.total_comments,
            "isAuthorParticipating": self.author_participates(paper),
        }
        if entry is not None:
            submitter = _submitter(entry)
            if submitter is not None:
                data["submittedBy"] = submitter
            if entry.organization is not None:
                data["organization"] = organization_json(entry.organization)
        return data



def _submitter(entry: DailyEntry) -> dict | None:
    if entry.submitter is not None:
        return user_json(entry.submitter)
    if entry.submitted_by or entry.submitter_profile:
        return remote_user_json(entry.submitted_by, entry.submitter_profile)
    return None
