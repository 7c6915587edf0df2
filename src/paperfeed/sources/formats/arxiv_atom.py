"""arXiv API (``export.arxiv.org/api/query``) responses: Atom 1.0 feeds.

Each ``<entry>`` is one paper: ``id`` is the abs URL *with* the version returned
(``http://arxiv.org/abs/2104.12255v1``), ``published`` is v1's date and ``updated`` the date of
that returned version; ``arxiv:primary_category``, ``category`` terms, ``arxiv:comment``,
``arxiv:journal_ref`` and ``arxiv:doi`` carry the rest. ``opensearch:totalResults``,
``startIndex`` and ``itemsPerPage`` describe the page, for paging through a query.

When a query is bad the API still answers with a feed, whose single entry has an id under
``http://arxiv.org/api/errors#`` and the message as its summary: that becomes a Problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import BinaryIO
from xml.etree.ElementTree import Element

from paperfeed.papers.ids import parse_arxiv_reference
from paperfeed.papers.record import PaperRecord
from paperfeed.sources.formats import Problem, make_problem, record_or_problem
from paperfeed.sources.formats._xml import XMLUnreadable, children, iter_elements, local, raw, text

_ARXIV_SCHEME = "http://arxiv.org/schemas/atom"
_PAGING = {"totalResults": "total_results", "startIndex": "start_index", "itemsPerPage": "items_per_page"}


@dataclass(frozen=True)
class FeedPaging:
    total_results: int | None = None
    start_index: int | None = None
    items_per_page: int | None = None


@dataclass
class AtomPage:
    items: list[PaperRecord | Problem] = field(default_factory=list)
    paging: FeedPaging = field(default_factory=FeedPaging)
    unreadable: str = ""  # why the body could not be read to the end ("" if it could)


def parse_atom(data: bytes | str | BinaryIO, location: str = "arxiv-api") -> AtomPage:
    page = AtomPage()
    paging: dict[str, int | None] = {}
    try:
        for element in iter_elements(data, {"entry": {"feed"}} | {name: set() for name in _PAGING}, roots={"feed"}):
            name = local(element.tag)
            if name == "entry":
                page.items.append(_entry(element, location, len(page.items) + 1))
            else:
                paging[_PAGING[name]] = _int(text(element))
    except XMLUnreadable as exc:
        page.unreadable = str(exc)
        snippet = data[:65536] if isinstance(data, (bytes, str)) else ""
        page.items.append(make_problem(location, str(exc), _decode(snippet)))
    page.paging = FeedPaging(**paging)
    return page


def _entry(entry: Element, location: str, position: int) -> PaperRecord | Problem:
    entry_id = text(entry, "id").strip()
    where = f"{location} entry {position}"
    if "/api/errors" in entry_id:
        return make_problem(where, f"arXiv API error: {text(entry, 'summary').strip()}", raw(entry))
    parsed = parse_arxiv_reference(entry_id)
    if parsed is None:
        return make_problem(where, f"entry id is not an arXiv abs URL: {entry_id[:100]!r}", raw(entry))
    published, updated = text(entry, "published").strip(), text(entry, "updated").strip()
    versions = [{"version": "v1", "created": published}] if published else []
    # `updated` is the date of the version this entry describes, so vN's date is known too.
    if parsed.version and parsed.version > 1 and updated:
        versions.append({"version": f"v{parsed.version}", "created": updated})
    primary = [c.get("term", "") for c in children(entry, "primary_category")]
    others = [
        c.get("term", "") for c in children(entry, "category") if c.get("scheme", _ARXIV_SCHEME) == _ARXIV_SCHEME
    ]
    return record_or_problem(
        f"{where} ({parsed})",
        raw(entry),
        arxiv_id=str(parsed),
        title=_repair(text(entry, "title")),
        abstract=_repair(text(entry, "summary")),
        authors=[_repair(text(author, "name")) for author in children(entry, "author")],
        categories=primary + others,
        versions=versions,
        published=published or None,
        updated=updated or None,
        comments=_repair(text(entry, "comment")),
        journal_ref=_repair(text(entry, "journal_ref")),
        doi=text(entry, "doi"),
    )


# Two characters of Latin-1 that are really one UTF-8 sequence: "RamÃ­rez" for "Ramírez".
_MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf]")


def _repair(value: str) -> str:
    """Undo UTF-8 read as Latin-1, which the recorded API responses show in author names.

    Only text that looks double-encoded is touched, and only when the round trip succeeds, so
    correctly encoded text (any character outside Latin-1, or no such pair) is left alone.
    """
    if not _MOJIBAKE.search(value):
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def _int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() else None


def _decode(snippet: bytes | str) -> str:
    return snippet.decode("utf-8", errors="replace") if isinstance(snippet, bytes) else snippet
