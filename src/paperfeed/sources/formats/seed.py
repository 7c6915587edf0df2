"""The seed format: papers as a Hugging Face Papers search page shows them, JSON lines.

Each line: ``title, abstract, num_authors, date, upvotes, organization, github_urls,
arxiv_id`` (plus ``rank``, the position on the page, which is not read). The page shows how
many authors a paper has but not who they are, so the record carries ``num_authors`` and no
names. ``date`` is the paper's date on Hugging Face and becomes both ``published`` and the
day the paper is listed on.

Choice where ``date`` is null: the paper still needs a day to be listed on, and its arXiv id
says when it was submitted to the month (``2510.01304`` → October 2025), so it is listed on
the first day of that month (2025-10-01), and ``published`` stays None rather than pretend
to a day nobody recorded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import BinaryIO

from paperfeed.papers.ids import parse_arxiv_id
from paperfeed.sources.formats import (
    UNREADABLE_INPUT,
    DailyItem,
    Problem,
    json_object_or_problem,
    make_problem,
    open_binary,
    record_or_problem,
    source_name,
)
from paperfeed.sources.normalize import InvalidRecord, parse_datetime


def iter_seed(source: str | Path | BinaryIO, name: str | None = None) -> Iterator[DailyItem | Problem]:
    """Yield a DailyItem or a Problem for every non-blank line of a seed file (gzip or not)."""
    label = source_name(source, name)
    with open_binary(source) as stream:
        number = 0
        try:
            for number, line in enumerate(stream, start=1):
                if line.strip():
                    yield parse_seed_line(line, f"{label}:{number}")
        except UNREADABLE_INPUT as exc:
            yield make_problem(f"{label}:{number + 1}", f"unreadable input: {exc or type(exc).__name__}")


def parse_seed_line(line: bytes | str, location: str) -> DailyItem | Problem:
    item = json_object_or_problem(line, location)
    if isinstance(item, Problem):
        return item
    raw = line.decode("utf-8", errors="replace") if isinstance(line, bytes) else line
    github = [u for u in item.get("github_urls") or [] if isinstance(u, str)]
    num_authors = item.get("num_authors")
    record = record_or_problem(
        f"{location} ({item.get('arxiv_id')})",
        raw,
        arxiv_id=str(item.get("arxiv_id") or ""),
        title=item.get("title") or "",
        abstract=item.get("abstract") or "",
        num_authors=num_authors if type(num_authors) is int and num_authors > 0 else None,
        published=item.get("date"),
        github_repo=github[0] if github else "",
    )
    if isinstance(record, Problem):
        return record
    try:
        published = parse_datetime(item.get("date"))
    except InvalidRecord as exc:
        return make_problem(location, str(exc), raw)
    listed = published.date() if published else month_of_id(record.arxiv_id)
    if listed is None:
        return make_problem(location, "no date, and the arXiv id names no month", raw)
    organization, slug = split_organization(item.get("organization"))
    upvotes = item.get("upvotes")
    return DailyItem(
        record=record,
        date=listed,
        upvotes=upvotes if type(upvotes) is int and upvotes > 0 else 0,
        organization=organization,
        organization_slug=slug,
    )


def month_of_id(arxiv_id: str) -> date | None:
    """The first day of the month an arXiv id encodes: YYMM in ``2510.01304`` and
    ``hep-th/9901001`` (old-style ids ran from 1991 to 2007)."""
    parsed = parse_arxiv_id(arxiv_id)
    if parsed is None:
        return None
    yymm = parsed.id.split("/")[-1][:4]
    year, month = int(yymm[:2]), int(yymm[2:])
    if not 1 <= month <= 12:
        return None
    return date(1900 + year if year >= 91 else 2000 + year, month, 1)


def split_organization(value: object) -> tuple[str, str]:
    """The search page's organisation text → (display name, slug).

    The page renders an organisation as its avatar's alt text, the Hugging Face slug, then its
    name: "facebook AI at Meta" is slug ``facebook``, name "AI at Meta". A lone word, or text
    whose first word does not look like a slug, is taken as the name alone.
    """
    text = " ".join(str(value or "").split())
    m = re.match(r"^([a-z0-9][a-z0-9_.-]*) (\S.*)$", text)
    if m and not m.group(2)[:1].islower():
        return m.group(2), m.group(1)
    return text, ""
