"""The one shape every source turns its input into before anything is stored.

Each source (arXiv snapshot, API, OAI-PMH, RSS, Hugging Face, the bundled sample)
parses its own format into a :class:`PaperRecord` via :func:`paperfeed.sources.normalize.normalize`,
so cleaning rules (ids, authors, dates, whitespace, links) live in exactly one place,
and :mod:`paperfeed.papers.store` only ever sees normalised data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class VersionRecord:
    number: int  # 1 for v1
    created: datetime  # UTC, timezone-aware
    size: str = ""  # as arXiv reports it, e.g. "443kb"


@dataclass(frozen=True)
class Origin:
    """Where a record was read and what was read, to quarantine it should storing it fail."""

    location: str  # "file:line (id)", a URL and entry, …
    raw: bytes | str  # the payload as received (a snapshot line, an Atom entry, a JSON item)


@dataclass
class PaperRecord:
    arxiv_id: str  # canonical id without version: "2412.13148" or "hep-th/9901001"
    title: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)  # display names, in paper order
    # Some sources (a Hugging Face search page) give only how many authors there are.
    num_authors: int | None = None
    categories: list[str] = field(default_factory=list)  # primary category first
    versions: list[VersionRecord] = field(default_factory=list)  # ascending
    # A source that knows the latest version number but not every version's date
    # (an RSS line saying "v3") sets this; otherwise it is derived from `versions`.
    latest_version: int | None = None
    published: datetime | None = None  # v1, UTC
    updated: datetime | None = None  # latest version or metadata change, UTC
    comments: str = ""
    journal_ref: str = ""
    doi: str = ""
    report_no: str = ""
    license: str = ""
    submitter: str = ""
    github_repo: str = ""
    project_page: str = ""
    withdrawn: bool = False
    # What the community around a paper says of it, as a source (Hugging Face) gave it; later
    # imports replace these when they carry a value (stars and claims change over time).
    github_stars: int | None = None  # None: not known, as opposed to 0 stars
    ai_summary: str = ""
    ai_keywords: list[str] = field(default_factory=list)
    # Hugging Face's `paper.authors`, cleaned (normalize.clean_source_authors): one dict per
    # author in paper order, with its `name` as in `authors` and, for an author who claimed
    # the paper there, `user` (the account) and `status`; `hidden` always. Empty when the
    # source says nothing beyond the names.
    source_authors: list[dict] = field(default_factory=list)
    # Not part of the paper: set by the parsers, left out of comparisons and merges.
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def author_count(self) -> int:
        return len(self.authors) if self.authors else (self.num_authors or 0)
