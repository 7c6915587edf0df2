"""arXiv's daily announcement feeds (``rss.arxiv.org/rss/cs.LG+cs.CL``), RSS 2.0.

Per https://info.arxiv.org/help/rss_specifications.html each ``<item>`` is one paper of the
day's announcement: ``<guid>oai:arXiv.org:2411.00001v1</guid>``, ``<title>``, ``<category>``
per category, ``<dc:creator>`` with the byline, ``<dc:rights>`` the licence,
``<arxiv:announce_type>`` (``new``, ``cross``, ``replace``, ``replace-cross``) and a
``<description>`` of the form "arXiv:2411.00001v1 Announce Type: new Abstract: …".
The channel's ``<pubDate>`` is the announcement's date; a day without an announcement
(weekends, holidays) is a channel with no items; ``<skipDays>`` names the weekdays arXiv
never announces on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from paperfeed.papers.ids import parse_arxiv_id
from paperfeed.papers.record import PaperRecord
from paperfeed.sources.formats import Problem, make_problem, record_or_problem
from paperfeed.sources.formats._xml import XMLUnreadable, children, iter_elements, local, raw, text
from paperfeed.sources.normalize import InvalidRecord, parse_datetime

ANNOUNCE_TYPES = {"new", "cross", "replace", "replace-cross"}
_DESCRIPTION = re.compile(r"^\s*arXiv:\S+\s+Announce Type:\s*\S+\s*(?:Abstract:\s*)?", re.S)


@dataclass
class RssItem:
    record: PaperRecord
    announce_type: str
    version: int


@dataclass
class RssFeed:
    date: date | None = None  # the announcement's date (channel pubDate), UTC
    items: list[RssItem | Problem] = field(default_factory=list)
    skip_days: list[str] = field(default_factory=list)
    unreadable: str = ""


def parse_rss(data: bytes | str, location: str = "arxiv-rss") -> RssFeed:
    feed = RssFeed()
    try:
        wanted = {"item": {"channel"}, "pubDate": {"channel"}, "skipDays": {"channel"}}
        for element in iter_elements(data, wanted, roots={"rss"}):
            name = local(element.tag)
            if name == "pubDate":
                feed.date = _date(text(element))
            elif name == "skipDays":
                feed.skip_days = [text(day).strip() for day in children(element, "day")]
            else:
                feed.items.append(_item(element, f"{location} item {len(feed.items) + 1}"))
    except XMLUnreadable as exc:
        feed.unreadable = str(exc)
        snippet = data[:65536] if isinstance(data, bytes) else data[:65536].encode()
        feed.items.append(make_problem(location, str(exc), snippet.decode("utf-8", errors="replace")))
    return feed


def _date(value: str) -> date | None:
    try:
        parsed = parse_datetime(value.strip())
    except InvalidRecord:
        return None
    return parsed.date() if parsed else None


def _item(item, where: str) -> RssItem | Problem:
    payload = raw(item)
    guid = text(item, "guid").strip().removeprefix("oai:arXiv.org:")
    parsed = parse_arxiv_id(guid) or parse_arxiv_id(text(item, "link").rsplit("/abs/", 1)[-1])
    if parsed is None:
        return make_problem(where, f"no arXiv id in guid {guid[:80]!r}", payload)
    announce_type = text(item, "announce_type").strip().lower()
    if announce_type not in ANNOUNCE_TYPES:
        return make_problem(where, f"unknown announce type {announce_type[:40]!r}", payload)
    record = record_or_problem(
        where,
        payload,
        arxiv_id=str(parsed),
        title=text(item, "title"),
        abstract=_DESCRIPTION.sub("", text(item, "description")),
        authors=text(item, "creator"),
        categories=[text(c).strip() for c in children(item, "category")],
        latest_version=parsed.version,
        license=text(item, "rights").strip(),
    )
    if isinstance(record, Problem):
        return record
    return RssItem(record=record, announce_type=announce_type, version=parsed.version or 1)
