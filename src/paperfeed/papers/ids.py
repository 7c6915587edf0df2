"""arXiv identifiers: parse, canonicalise, and find them inside URLs.

Two schemes exist (https://info.arxiv.org/help/arxiv_identifier.html):
- old, before April 2007: ``archive[.SUBJ]/YYMMNNN`` such as ``hep-th/9901001``;
- new: ``YYMM.NNNN`` (2007-2014) or ``YYMM.NNNNN`` (from 2015), e.g. ``2412.13148``.
Either may carry a version suffix ``vN``. A paper is keyed by its id *without* version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NEW = r"(?P<new>\d{4}\.\d{4,5})"
# The subject class (".AG") appears in old-style references but is not part of the id.
_OLD = r"(?P<old>(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.[A-Za-z]{2})?/(?P<number>\d{7}))"
_VERSION = r"(?:v(?P<version>\d{1,3}))?"

_ID_RE = re.compile(rf"^(?:arxiv:)?\s*(?:{_NEW}|{_OLD}){_VERSION}$", re.IGNORECASE)
# Pages that name a paper by id in their path: arXiv abs/pdf/html and Hugging Face papers.
_URL_RE = re.compile(
    rf"^(?:https?://)?(?:www\.|export\.)?(?:arxiv\.org/(?:abs|pdf|html)|huggingface\.co/papers|hf\.co/papers)/"
    rf"(?:{_NEW}|{_OLD}){_VERSION}(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ArxivId:
    id: str  # canonical, without version
    version: int | None = None

    def __str__(self) -> str:
        return f"{self.id}v{self.version}" if self.version else self.id

    @property
    def is_old_style(self) -> bool:
        return "/" in self.id


def _from_match(m: re.Match) -> ArxivId:
    if m.group("new"):
        base = m.group("new")
    else:
        base = f"{m.group('archive').lower()}/{m.group('number')}"
    version = int(m.group("version")) if m.group("version") else None
    if version == 0:
        version = None
    return ArxivId(base, version)


def parse_arxiv_id(text: str) -> ArxivId | None:
    """Parse a bare id (``2412.13148v2``, ``arXiv:hep-th/9901001``); None if it is not one."""
    if not text or len(text) > 64:
        return None
    m = _ID_RE.match(text.strip())
    if not m:
        return None
    parsed = _from_match(m)
    if not parsed.is_old_style and not _plausible_new_id(parsed.id):
        return None
    return parsed


def parse_arxiv_reference(text: str) -> ArxivId | None:
    """An id, or an arXiv abs/pdf/html URL, or a Hugging Face paper URL; None otherwise."""
    text = (text or "").strip()
    if len(text) > 300:
        return None
    parsed = parse_arxiv_id(text)
    if parsed:
        return parsed
    m = _URL_RE.match(text)
    if not m:
        return None
    parsed = _from_match(m)
    if not parsed.is_old_style and not _plausible_new_id(parsed.id):
        return None
    return parsed


def _plausible_new_id(base: str) -> bool:
    yymm, number = base.split(".")
    month = int(yymm[2:])
    if not 1 <= month <= 12:
        return False
    # Five-digit numbers started in 1501; four-digit ones ended with 1412.
    return (len(number) == 5) == (int(yymm) >= 1501)


def canonical_id(text: str) -> str:
    """The version-less id for an id string; raises ValueError when it is not an arXiv id."""
    parsed = parse_arxiv_id(text)
    if parsed is None:
        raise ValueError(f"not an arXiv identifier: {text!r}")
    return parsed.id
