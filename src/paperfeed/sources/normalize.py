"""Normalisation shared by every source: ids, text, authors, categories, dates, links.

A parser hands the raw strings it found to :func:`build_record`; what comes back is a
clean :class:`PaperRecord`, or :class:`InvalidRecord` says why the input cannot be stored
(the caller quarantines it with its raw payload).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from email.utils import parsedate_to_datetime

from paperfeed.core import text as core_text
from paperfeed.papers.ids import parse_arxiv_id
from paperfeed.papers.record import PaperRecord, VersionRecord

# Limits far above any real arXiv record (the longest titles are ~300 characters, abstracts
# are capped by arXiv at 1,920 characters); anything beyond is broken or hostile input.
MAX_TITLE = 1_000
MAX_ABSTRACT = 20_000
MAX_AUTHORS = 5_000  # collaboration papers list a few thousand
MAX_FIELD = 5_000


class InvalidRecord(ValueError):
    """The input cannot become a paper; the message says why, for the quarantine."""


# -- text ----------------------------------------------------------------------------------

# Text from a source becomes valid Unicode that every database accepts here and only here, by
# the project's one rule for incoming text (core/text.py: controls dropped, lone surrogates
# become U+FFFD).


# For source strings that are not record fields (a username on a list, a quarantined record's
# location); fields go through clean_text below, which also folds white space and checks length.
valid_text = core_text.valid_text


def escaped_raw(payload: bytes | str) -> str:
    """A payload as received, as text any database stores: bytes that are not UTF-8, lone
    surrogates and NUL are written as backslash escapes (``\\xff``, ``\\ud800``, ``\\x00``)
    instead of being lost, so a quarantined record shows exactly what came in."""
    if isinstance(payload, bytes):
        text = payload.decode("utf-8", "backslashreplace")
    else:
        text = str(payload).encode("utf-8", "backslashreplace").decode("utf-8")
    return text.replace("\x00", "\\x00")


def clean_text(value: object, limit: int = MAX_FIELD, field: str = "field") -> str:
    """One line of text: valid, NFC, no control characters, runs of white space folded to one space."""
    if value is None or value == "":
        return ""
    text = unicodedata.normalize("NFC", valid_text(value))
    text = " ".join(text.split())
    if len(text) > limit:
        raise InvalidRecord(f"{field} is {len(text):,} characters long (limit {limit:,})")
    return text


def clean_label(value: object, limit: int) -> str:
    """A short name around a record (a username, an organization on a list): cleaned like
    :func:`clean_text` but cut to `limit`, as it is no reason to refuse the paper."""
    return clean_text(str(value or "")[: limit * 4], limit * 4)[:limit].strip()


def clean_abstract(value: object) -> str:
    """Abstracts keep paragraph breaks (a blank line, or arXiv's indented new paragraph)."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", valid_text(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    # arXiv marks a new paragraph by a line that starts with spaces; plain wrapping otherwise.
    paragraphs = re.split(r"\n\s*\n|\n(?=[ \t]+\S)", text)
    cleaned = "\n\n".join(p for p in (" ".join(p.split()) for p in paragraphs) if p)
    if len(cleaned) > MAX_ABSTRACT:
        raise InvalidRecord(f"abstract is {len(cleaned):,} characters long (limit {MAX_ABSTRACT:,})")
    return cleaned


# -- authors -------------------------------------------------------------------------------

# TeX accent commands as they appear in arXiv author strings ("C. Bal\'azs"), mapped to the
# Unicode combining mark they stand for; composed to one character by NFC afterwards.
_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "c": "\u0327", "v": "\u030c", "u": "\u0306", "H": "\u030b", "r": "\u030a",
    "k": "\u0328", "d": "\u0323", "b": "\u0331",
}
_LETTERS = {
    "ss": "ß", "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "ae": "æ", "AE": "Æ", "oe": "œ",
    "OE": "Œ", "aa": "å", "AA": "Å", "i": "ı", "j": "ȷ",
}
_ACCENT_RE = re.compile(r"""\\([`'^"~=.])\s*\{?\\?([A-Za-z])\}?|\\([cvuHrkdb])(?:\s+|\{)\\?([A-Za-z])\}?""")
_LETTER_RE = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![A-Za-z])\s*(?:\{\})?")


def tex_to_unicode(text: str) -> str:
    """Turn TeX accents and special letters in names into Unicode: ``Bal\\'azs`` → ``Balázs``."""
    if "\\" not in text:
        return text

    def accent(m: re.Match) -> str:
        mark, letter = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if letter == "i" and mark != "c":
            letter = "ı"  # \'{\i} is an accented dotless i
        return letter + _ACCENTS[mark]

    text = _ACCENT_RE.sub(accent, text)
    text = _LETTER_RE.sub(lambda m: _LETTERS[m.group(1)], text)
    text = text.replace("{", "").replace("}", "")  # names need no TeX grouping: {M}\"uller
    text = unicodedata.normalize("NFC", text).replace("ı\u0301", "í").replace("ı\u0300", "ì")
    return unicodedata.normalize("NFC", text)


def split_authors(byline: str) -> list[str]:
    """Split an arXiv byline ("A, B and C (MIT)") into names, dropping affiliations.

    Commas and " and " separate names, except inside parentheses, where arXiv puts
    affiliations, sometimes numbered: "A (1), B (2) ((1) MIT, (2) CERN)".
    """
    outside, depth = [], 0
    for ch in tex_to_unicode(byline or ""):
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                outside.append(" ")  # keep a gap where an affiliation was
        elif depth == 0:
            outside.append(ch)
    names: list[str] = []
    for part in re.split(r",|;|\band\b|&", "".join(outside)):
        name = clean_author_name(part)
        if not name or name.lower().rstrip(".") in {"et al", "others"}:
            continue
        if names and name.rstrip(".") in _SUFFIXES:
            names[-1] = f"{names[-1]} {name}"  # "Smith, Jr." is one author: "Smith Jr."
        else:
            names.append(name)
    if len(names) > MAX_AUTHORS:
        raise InvalidRecord(f"{len(names):,} authors (limit {MAX_AUTHORS:,})")
    return names


_SUFFIXES = {"Jr", "Sr", "II", "III", "IV"}


def clean_author_name(name: str) -> str:
    """One spelling per name whatever the source: "J.A. Smith" and "C. -P. Yuan" become
    "J. A. Smith" and "C.-P. Yuan", so the same person is one Author row."""
    name = clean_text(tex_to_unicode(name), limit=300, field="author name").strip(" ,;")
    name = re.sub(r"\.\s+-\s*(?=\w)", ".-", name)  # "C. -P." → "C.-P."
    name = re.sub(r"(?<=\b\w)\.(?=[A-Z][a-z]?\.|[A-Z]\b)", ". ", name)  # "J.A." → "J. A."
    return name if any(ch.isalpha() for ch in name) else ""  # ":" is not a name


def clean_authors(names: Iterable[str]) -> list[str]:
    cleaned = [clean_author_name(n) for n in names]
    cleaned = [n for n in cleaned if n]
    if len(cleaned) > MAX_AUTHORS:
        raise InvalidRecord(f"{len(cleaned):,} authors (limit {MAX_AUTHORS:,})")
    return cleaned


# -- categories ----------------------------------------------------------------------------

_CATEGORY_RE = re.compile(r"^[a-z][a-z-]*(\.[A-Za-z-]+)?$")


def parse_categories(value: str | Iterable[str] | None) -> list[str]:
    """'cs.LG stat.ML' or a list → ['cs.LG', 'stat.ML'], primary first, no duplicates."""
    items = value.split() if isinstance(value, str) else list(value or [])
    seen: list[str] = []
    for item in items:
        code = item.strip().strip(",")
        if code and _CATEGORY_RE.match(code) and len(code) <= 40 and code not in seen:
            seen.append(code)
    return seen


# -- dates ---------------------------------------------------------------------------------


_ARXIV_DATE = re.compile(r"^[A-Z][a-z]{2}, (\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (?:GMT|UTC|\+0000)$")
_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1)}


def parse_datetime(value: object) -> datetime | None:
    """RFC 2822 ("Mon, 2 Apr 2007 19:18:42 GMT"), ISO 8601, or a date → aware UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    text = str(value).strip()
    m = _ARXIV_DATE.match(text)
    if m:  # arXiv's own "Mon, 2 Apr 2007 19:18:42 GMT", by far the most common: parse it fast
        day, month, year, hour, minute, second = m.groups()
        month_number = _MONTHS.get(month)
        if month_number:
            try:
                return datetime(int(year), month_number, int(day), int(hour), int(minute), int(second), tzinfo=UTC)
            except ValueError:
                raise InvalidRecord(f"unreadable date {text[:60]!r}") from None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            raise InvalidRecord(f"unreadable date {text[:60]!r}") from None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# -- links ---------------------------------------------------------------------------------

_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"'{}|\\^`\]]+", re.IGNORECASE)
_GITHUB_RE = re.compile(r"^(?:https?://)?(?:www\.)?github\.com/([\w.-]+)/([\w.-]+)", re.IGNORECASE)
_NOT_REPOS = {"features", "about", "orgs", "topics", "sponsors", "marketplace", "settings"}
_PROJECT_HINT = re.compile(r"(project|website|homepage|home page|demo|page)\s*(page|site)?\s*[:(]?\s*$", re.I)


def _urls(text: str) -> list[tuple[str, str]]:
    """(url, text before it) pairs, with trailing sentence punctuation removed."""
    found = []
    if not text or ("http" not in text and "www." not in text and "WWW." not in text):
        return found  # most abstracts name no link: skip the expression
    for m in _URL_RE.finditer(text or ""):
        url = m.group(0).rstrip(".,;:)}")
        if url.lower().startswith("www."):
            url = "https://" + url
        found.append((url, text[max(0, m.start() - 40) : m.start()]))
    return found


def extract_links(*texts: str) -> tuple[str, str]:
    """The code repository and project page named in an abstract or comments, if any."""
    github, project = "", ""
    for text in texts:
        for url, before in _urls(text):
            m = _GITHUB_RE.match(url)
            if m and not github and m.group(1).lower() not in _NOT_REPOS:
                repo = re.sub(r"\.git$", "", m.group(2))
                github = f"https://github.com/{m.group(1)}/{repo}"
            elif not m and not project and (
                ".github.io" in url.lower() or _PROJECT_HINT.search(before)
            ):
                if "arxiv.org" not in url.lower():
                    project = url
    return github, project


# -- identifiers ---------------------------------------------------------------------------

_DOI = re.compile(r"10\.\d{4,9}/\S+")


def clean_doi(value: str) -> str:
    """The first DOI named, without "doi:" or resolver prefixes (arXiv's field may hold several)."""
    m = _DOI.search(clean_text(value, 1000, "doi"))
    return m.group(0).rstrip(".,;")[:200] if m else ""


# -- versions ------------------------------------------------------------------------------


def parse_versions(items: Iterable[dict]) -> list[VersionRecord]:
    """Snapshot-style [{"version": "v1", "created": "..."}] → ascending VersionRecords."""
    versions: dict[int, VersionRecord] = {}
    for item in items or []:
        label = str(item.get("version", "")).strip().lower().lstrip("v")
        if not label.isdigit():
            raise InvalidRecord(f"unreadable version {item.get('version')!r}")
        created = parse_datetime(item.get("created"))
        if created is None:
            raise InvalidRecord(f"version v{label} has no date")
        number = int(label)
        versions[number] = VersionRecord(number, created, clean_text(item.get("size", ""), 40))
    return [versions[n] for n in sorted(versions)]


# -- the record ----------------------------------------------------------------------------

MAX_LINK = 500  # the length of the columns (Paper.github_repo, project_page)


def _link(url: str) -> str:
    """A web link the paper can keep; one found in an abstract may be any length, and no
    link is a reason to refuse the paper, so a longer one is left out."""
    return url if url.startswith(("http://", "https://")) and len(url) <= MAX_LINK else ""


# -- what a community source says around a paper (Hugging Face) ----------------------------
# None of it is a reason to refuse a paper: a value that does not fit is cut or left out.

# An absolute http(s) URL, or a path on the source's own site ("/avatars/…svg", as Hugging
# Face gives the avatars of accounts without an uploaded picture). Not javascript:, data:,
# a protocol-relative "//host" nor a "/\\host" that browsers read as one, nor white space.
_SOURCE_URL = re.compile(r"^(?:https?://[A-Za-z0-9.-]+(?::\d{1,5})?(?:[/?#][^\s\\]*)?|/(?![/\\])[^\s\\]*)$", re.I)


def clean_source_url(value: object, limit: int = MAX_LINK) -> str:
    """An image or page URL as the source gave it, if it is one of the kinds above and at
    most `limit` characters long; "" otherwise."""
    if not isinstance(value, str):
        return ""
    url = valid_text(value).strip()
    return url if len(url) <= limit and _SOURCE_URL.match(url) else ""


def clean_source_time(value: object) -> str:
    """A source's timestamp in Hugging Face's own format (UTC, milliseconds, "Z"); "" when
    it is not a readable date."""
    try:
        when = parse_datetime(value) if isinstance(value, str) else None
    except InvalidRecord:
        return ""
    if when is None:
        return ""
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def clean_count(value: object) -> int | None:
    """A count (stars, comments): a non-negative JSON integer (not a boolean), else None."""
    return value if type(value) is int and 0 <= value < 2**31 else None


# A Hugging Face account as its API shows it (an author's `user`, an item's `submittedBy`):
# which keys are kept, and how long their text may be. The login is `user` in one place and
# `name` in the other; both are kept as given.
_USER_TEXT = {"_id": 64, "fullname": 200, "name": 150, "user": 150, "type": 20}
_USER_FLAGS = ("isPro", "isHf", "isHfAdmin", "isMod")


def clean_source_user(value: object) -> dict:
    """The account's known keys with values of the right type, cleaned; {} when it names
    nobody (no login and no full name)."""
    if not isinstance(value, dict):
        return {}
    user: dict = {}
    for key, limit in _USER_TEXT.items():
        if isinstance(value.get(key), str) and (text := clean_label(value[key], limit)):
            user[key] = text
    if user.get("type") != "user":  # the only kind of account that submits and claims
        user.pop("type", None)
    if not (user.get("name") or user.get("user") or user.get("fullname")):
        return {}
    if "avatarUrl" in value:
        user["avatarUrl"] = clean_source_url(value["avatarUrl"])
    for key in _USER_FLAGS:
        if type(value.get(key)) is bool:
            user[key] = value[key]
    if (followers := clean_count(value.get("followerCount"))) is not None:
        user["followerCount"] = followers
    return user


def clean_source_authors(items: object) -> list[dict]:
    """Hugging Face's `paper.authors` as kept: per author its `name` (spelled as in the
    record's `authors`, so the two can be matched), `hidden`, and for a claimed author the
    `user`, `status` and `statusLastChangedAt`. [] when no author has more than a name."""
    if not isinstance(items, list):
        return []
    kept: list[dict] = []
    for item in items[:MAX_AUTHORS]:
        if not isinstance(item, dict):
            continue
        try:
            name = clean_author_name(str(item.get("name") or ""))
        except InvalidRecord:
            name = ""
        entry: dict = {"name": name, "hidden": item.get("hidden") is True}
        user = clean_source_user(item.get("user"))
        if user:
            entry["user"] = user
        if isinstance(item.get("status"), str) and (status := clean_label(item["status"], 40)):
            entry["status"] = status
        if changed := clean_source_time(item.get("statusLastChangedAt")):
            entry["statusLastChangedAt"] = changed
        kept.append(entry)
    if not any(len(entry) > 2 or entry["hidden"] for entry in kept):
        return []
    return kept


MAX_KEYWORDS = 50


def clean_keywords(value: object) -> list[str]:
    """A list of short phrases (Hugging Face's `ai_keywords`), in order, without repeats."""
    if not isinstance(value, list):
        return []
    words: list[str] = []
    for item in value:
        word = clean_label(item, 100) if isinstance(item, str) else ""
        if word and word not in words:
            words.append(word)
    return words[:MAX_KEYWORDS]


_WITHDRAWN = re.compile(r"\b(this (paper|submission|article) (has been|is) withdrawn|withdrawn by)\b", re.I)


def build_record(
    *,
    arxiv_id: str,
    title: str,
    abstract: str = "",
    authors: str | Iterable[str] = "",
    num_authors: int | None = None,
    categories: str | Iterable[str] | None = None,
    versions: Iterable[dict] | None = None,
    latest_version: int | None = None,
    published: object = None,
    updated: object = None,
    comments: str = "",
    journal_ref: str = "",
    doi: str = "",
    report_no: str = "",
    license: str = "",
    submitter: str = "",
    github_repo: str = "",
    project_page: str = "",
    withdrawn: bool | None = None,
    github_stars: object = None,
    ai_summary: object = "",
    ai_keywords: object = None,
    source_authors: object = None,
) -> PaperRecord:
    """Clean the raw values a parser found into a PaperRecord (or raise InvalidRecord)."""
    parsed_id = parse_arxiv_id(clean_text(arxiv_id, 100, "id"))
    if parsed_id is None:
        raise InvalidRecord(f"missing or malformed arXiv id {str(arxiv_id)[:80]!r}")
    clean_title = clean_text(title, MAX_TITLE, "title")
    if not clean_title:
        raise InvalidRecord("empty title")
    clean_abs = clean_abstract(abstract)
    author_list = split_authors(authors) if isinstance(authors, str) else clean_authors(authors)
    if len(author_list) > MAX_AUTHORS:
        raise InvalidRecord(f"{len(author_list):,} authors (limit {MAX_AUTHORS:,})")
    version_list = parse_versions(versions or [])
    latest = max([v.number for v in version_list] + [latest_version or 0, parsed_id.version or 0, 1])
    first = version_list[0].created if version_list and version_list[0].number == 1 else None
    published_at = parse_datetime(published) or first
    updated_at = parse_datetime(updated) or (version_list[-1].created if version_list else None)
    clean_comments = clean_text(comments, MAX_FIELD, "comments")
    found_repo, found_page = extract_links(clean_abs, clean_comments)
    repo = clean_text(github_repo, 500) or found_repo
    page = clean_text(project_page, 500) or found_page
    if withdrawn is None:
        withdrawn = bool(_WITHDRAWN.search(clean_comments) or _WITHDRAWN.search(clean_abs[:300]))
    return PaperRecord(
        arxiv_id=parsed_id.id,
        title=clean_title,
        abstract=clean_abs,
        authors=author_list,
        num_authors=num_authors if not author_list else None,
        categories=parse_categories(categories),
        versions=version_list,
        latest_version=latest,
        published=published_at,
        updated=updated_at or published_at,
        comments=clean_comments,
        journal_ref=clean_text(journal_ref, MAX_FIELD, "journal-ref"),
        doi=clean_doi(doi),
        report_no=clean_text(report_no, 300, "report-no"),
        license=clean_text(license, 300, "license"),
        submitter=clean_text(submitter, 300, "submitter"),
        github_repo=_link(repo),
        project_page=_link(page),
        withdrawn=withdrawn,
        github_stars=clean_count(github_stars),
        ai_summary=clean_label(ai_summary, MAX_ABSTRACT) if isinstance(ai_summary, str) else "",
        ai_keywords=clean_keywords(ai_keywords),
        source_authors=clean_source_authors(source_authors),
    )
