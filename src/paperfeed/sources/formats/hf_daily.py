"""Hugging Face ``/api/daily_papers`` responses: one day's list of papers, as JSON.

The body is a list of items. Each item has the arXiv paper under ``paper`` (``id, title,
summary, authors[].name, publishedAt, upvotes``, and when known ``githubRepo, projectPage,
withdrawnAt``) and the listing around it: ``publishedAt`` (when it was put on the list, or
``submittedOnDailyAt`` in newer responses), ``submittedBy`` (a user: ``name`` is the
username, ``fullname`` the display name) and possibly ``organization`` (``name`` is the slug,
``fullname`` the display name), on the item or on the paper.

Kept as given, for the API to serve in the same shape: the listing time to the millisecond,
``numComments``, the submitter's account (full name, avatar, flags), ``thumbnail`` and
``mediaUrls`` (http(s) URLs and paths on Hugging Face's site only), and on the paper the
claimed authors (``authors[].user``, ``status``, ``hidden``), ``githubStars``, ``ai_summary``
and ``ai_keywords``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from paperfeed.sources.formats import DailyItem, Problem, make_problem, record_or_problem
from paperfeed.sources.normalize import (
    InvalidRecord,
    clean_count,
    clean_label,
    clean_source_url,
    clean_source_user,
    parse_datetime,
)

MAX_MEDIA = 20  # Hugging Face allows a handful of images and videos per submission

__all__ = ["DailyItem", "parse_hf_daily", "parse_hf_item"]


def parse_hf_daily(data: bytes | str | list, location: str = "hf-daily") -> Iterator[DailyItem | Problem]:
    """Yield a DailyItem or a Problem for every item of a daily_papers response."""
    if isinstance(data, (bytes, str)):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError) as exc:
            yield make_problem(location, f"malformed JSON: {exc or 'nested too deeply'}", _text(data))
            return
    if not isinstance(data, list):
        yield make_problem(location, f"expected a JSON list, got {type(data).__name__}", _text(data))
        return
    for position, item in enumerate(data, start=1):
        yield parse_hf_item(item, f"{location} item {position}")


def parse_hf_item(item: object, location: str) -> DailyItem | Problem:
    raw = json.dumps(item, ensure_ascii=False)
    paper = item.get("paper") if isinstance(item, dict) else None
    if not isinstance(paper, dict):
        return make_problem(location, "item has no paper object", raw)
    authors = paper.get("authors") or []
    if not isinstance(authors, list):
        return make_problem(location, "paper.authors is not a list", raw)
    record = record_or_problem(
        f"{location} ({paper.get('id')})",
        raw,
        arxiv_id=str(paper.get("id") or ""),
        title=paper.get("title") or item.get("title") or "",
        abstract=paper.get("summary") or "",
        # Every listed author counts, including those who hid their profile link ("hidden").
        authors=[a.get("name", "") for a in authors if isinstance(a, dict)],
        published=paper.get("publishedAt"),
        github_repo=paper.get("githubRepo") or "",
        project_page=paper.get("projectPage") or "",
        # A withdrawal date says withdrawn; its absence leaves normalisation to decide.
        withdrawn=True if paper.get("withdrawnAt") else None,
        github_stars=paper.get("githubStars"),
        ai_summary=paper.get("ai_summary") or "",
        ai_keywords=paper.get("ai_keywords"),
        source_authors=authors,
    )
    if isinstance(record, Problem):
        return record
    try:
        listed = parse_datetime(item.get("submittedOnDailyAt") or item.get("publishedAt"))
    except InvalidRecord as exc:
        return make_problem(location, f"listing date: {exc}", raw)
    if listed is None:
        return make_problem(location, "item has no listing date (submittedOnDailyAt/publishedAt)", raw)
    org = _organization(item) or _organization(paper) or ("", "")
    return DailyItem(
        record=record,
        date=listed.date(),  # parse_datetime returns UTC, so this is the UTC day
        upvotes=_count(paper.get("upvotes")),
        # The columns' lengths (papers.models.DailyEntry, Organization).
        submitted_by=clean_label(_submitter(item, paper), 150),
        organization=clean_label(org[0], 200),
        organization_slug=clean_label(org[1], 100),
        listed_at=listed,
        num_comments=clean_count(item.get("numComments")) or 0,
        submitter_profile=_submitter_profile(item, paper),
        thumbnail=clean_source_url(item.get("thumbnail")),
        media_urls=_media(item.get("mediaUrls")),
    )


def _submitter(item: dict, paper: dict) -> str:
    """The username (DailyEntry.submitted_by holds usernames), not the display name."""
    for user in (item.get("submittedBy"), paper.get("submittedOnDailyBy")):
        if isinstance(user, dict) and (user.get("name") or user.get("user")):
            return str(user.get("name") or user.get("user"))
    return ""


def _submitter_profile(item: dict, paper: dict) -> dict:
    for user in (item.get("submittedBy"), paper.get("submittedOnDailyBy")):
        profile = clean_source_user(user)
        if profile:
            return profile
    return {}


def _media(value: object) -> list[str]:
    urls = [clean_source_url(url) for url in value[:MAX_MEDIA]] if isinstance(value, list) else []
    return [url for url in urls if url]


def _organization(holder: dict) -> tuple[str, str] | None:
    org = holder.get("organization")
    if isinstance(org, dict) and (org.get("name") or org.get("fullname")):
        return str(org.get("fullname") or org.get("name")), str(org.get("name") or "")
    if isinstance(org, str) and org.strip():
        return org.strip(), ""
    return None


def _count(value: object) -> int:
    return value if type(value) is int and value > 0 else 0  # not bool, not negative


def _text(data: object) -> str:
    if isinstance(data, bytes):
        return data.decode("utf-8", errors="replace")
    return data if isinstance(data, str) else repr(data)

