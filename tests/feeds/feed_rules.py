"""What a valid feed is, as checks a test can assert: RFC 4287 (Atom) and JSON Feed 1.1.

An Atom document must be valid against the RELAX NG schema of RFC 4287's Appendix B
(atom.rng, checked with lxml) and keep the rules the schema leaves to prose, checked here
element by element (§4.1.1: an author for every entry; §4.1.2: an alternate link or content;
one id, title and updated; RFC 3339 dates). Each function returns the problems found; [] is
valid.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"
# RFC 3339 date-time, as §3.3 requires (an uppercase T and Z, seconds always present).
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_TEXT_TYPES = {"text", "html", "xhtml"}
_FEED_CHILDREN = {
    "author", "category", "contributor", "generator", "icon", "id", "link", "logo", "rights",
    "subtitle", "title", "updated", "entry",
}  # fmt: skip
_ENTRY_CHILDREN = {
    "author", "category", "content", "contributor", "id", "link", "published", "rights", "source",
    "summary", "title", "updated",
}  # fmt: skip


def _absolute_iri(value: str | None) -> bool:
    parts = urlsplit(value or "")
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme in {"urn", "tag"})


def _count(problems: list[str], where: str, element, name: str, low: int, high: int | None) -> list:
    found = element.findall(ATOM + name)
    if len(found) < low or (high is not None and len(found) > high):
        wanted = f"exactly {low}" if low == high else (f"at most {high}" if low == 0 else f"at least {low}")
        problems.append(f"{where}: {len(found)} <{name}>, RFC 4287 wants {wanted}")
    return found


def _text_construct(problems: list[str], where: str, element) -> None:
    kind = element.get("type", "text")
    if kind not in _TEXT_TYPES:
        problems.append(f"{where}: type={kind!r} is not text, html or xhtml")
    if kind in {"text", "html"} and len(element):
        problems.append(f"{where}: a {kind} construct holds child elements")


def _person(problems: list[str], where: str, element) -> None:
    _count(problems, where, element, "name", 1, 1)
    _count(problems, where, element, "uri", 0, 1)
    _count(problems, where, element, "email", 0, 1)
    for name in element.findall(ATOM + "name"):
        if not (name.text or "").strip():
            problems.append(f"{where}: an empty <name>")


def _date(problems: list[str], where: str, element) -> None:
    if not _DATE.match(element.text or ""):
        problems.append(f"{where}: {element.text!r} is not an RFC 3339 date-time")


def _links(problems: list[str], where: str, element) -> None:
    seen = set()
    for link in element.findall(ATOM + "link"):
        if not link.get("href"):
            problems.append(f"{where}: <link> without href")
        rel = link.get("rel", "alternate")
        if rel == "alternate":
            key = (link.get("type"), link.get("hreflang"))
            if key in seen:
                problems.append(f"{where}: two alternate links of the same type and hreflang")
            seen.add(key)


def _common(problems: list[str], where: str, element, allowed: set[str]) -> None:
    for child in element:
        if child.tag.startswith(ATOM) and child.tag[len(ATOM) :] not in allowed:
            problems.append(f"{where}: <{child.tag[len(ATOM):]}> is not an Atom element here")
        if not child.tag.startswith("{"):
            problems.append(f"{where}: <{child.tag}> in no namespace (extensions need their own)")
    for ident in _count(problems, where, element, "id", 1, 1):
        if not _absolute_iri(ident.text):
            problems.append(f"{where}: id {ident.text!r} is not an absolute IRI")
    for title in _count(problems, where, element, "title", 1, 1):
        _text_construct(problems, f"{where} title", title)
    for updated in _count(problems, where, element, "updated", 1, 1):
        _date(problems, f"{where} updated", updated)
    _count(problems, where, element, "rights", 0, 1)
    for person in element.findall(ATOM + "author") + element.findall(ATOM + "contributor"):
        _person(problems, f"{where} author", person)
    for category in element.findall(ATOM + "category"):
        if not category.get("term"):
            problems.append(f"{where}: <category> without term")
    _links(problems, where, element)


@cache
def _atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(Path(__file__).with_name("atom.rng"))))


def atom_problems(document: bytes) -> list[str]:
    schema = _atom_schema()
    problems = [] if schema.validate(etree.fromstring(document)) else [f"RELAX NG: {e}" for e in schema.error_log]
    root = ElementTree.fromstring(document)
    if root.tag != ATOM + "feed":
        return [f"the root is {root.tag}, not atom:feed"]
    _common(problems, "feed", root, _FEED_CHILDREN)
    for name in ("generator", "icon", "logo", "subtitle"):
        _count(problems, "feed", root, name, 0, 1)
    for subtitle in root.findall(ATOM + "subtitle"):
        _text_construct(problems, "feed subtitle", subtitle)
    if not any(link.get("rel") == "self" for link in root.findall(ATOM + "link")):
        problems.append("feed: no rel=self link (RFC 4287 §4.2.7.2: SHOULD)")
    feed_has_author = bool(root.findall(ATOM + "author"))
    for index, entry in enumerate(root.findall(ATOM + "entry")):
        where = f"entry {index}"
        _common(problems, where, entry, _ENTRY_CHILDREN)
        if not feed_has_author and not entry.findall(ATOM + "author"):
            problems.append(f"{where}: no author, and the feed has none (§4.1.1)")
        published = _count(problems, where, entry, "published", 0, 1)
        for element in published:
            _date(problems, f"{where} published", element)
        for summary in _count(problems, where, entry, "summary", 0, 1):
            _text_construct(problems, f"{where} summary", summary)
        contents = _count(problems, where, entry, "content", 0, 1)
        alternates = [link for link in entry.findall(ATOM + "link") if link.get("rel", "alternate") == "alternate"]
        if not contents and not alternates:
            problems.append(f"{where}: neither content nor an alternate link (§4.1.2)")
    return problems


# JSON Feed 1.1 (https://jsonfeed.org/version/1.1): the top-level and item members it
# defines; any other member must be an extension, named with a leading underscore.
_JSON_TOP = {
    "version", "title", "home_page_url", "feed_url", "description", "user_comment", "next_url",
    "icon", "favicon", "authors", "language", "expired", "hubs", "items",
}  # fmt: skip
_JSON_ITEM = {
    "id", "url", "external_url", "title", "content_html", "content_text", "summary", "image",
    "banner_image", "date_published", "date_modified", "authors", "tags", "language", "attachments",
}  # fmt: skip


def _json_authors(problems: list[str], where: str, authors) -> None:
    if not isinstance(authors, list):
        problems.append(f"{where}: authors is not an array")
        return
    for author in authors:
        if not isinstance(author, dict) or not ({"name", "url", "avatar"} & set(author)):
            problems.append(f"{where}: an author without name, url or avatar")


def json_feed_problems(document: bytes) -> list[str]:
    problems: list[str] = []
    feed = json.loads(document)
    if feed.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append(f"version is {feed.get('version')!r}")
    if not isinstance(feed.get("title"), str) or not feed["title"]:
        problems.append("no title")
    if not isinstance(feed.get("items"), list):
        return [*problems, "no items array"]
    for key in feed:
        if key not in _JSON_TOP and not key.startswith("_"):
            problems.append(f"unknown top-level member {key!r}")
    for key in ("home_page_url", "feed_url"):
        if key in feed and not _absolute_iri(feed[key]):
            problems.append(f"{key} is not an absolute URL")
    if "authors" in feed:
        _json_authors(problems, "feed", feed["authors"])
    ids = set()
    for index, item in enumerate(feed["items"]):
        where = f"item {index}"
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append(f"{where}: no id string")
        if item.get("id") in ids:
            problems.append(f"{where}: id repeated")
        ids.add(item.get("id"))
        if not isinstance(item.get("content_text"), str) and not isinstance(item.get("content_html"), str):
            problems.append(f"{where}: neither content_text nor content_html")
        for key in item:
            if key not in _JSON_ITEM and not key.startswith("_"):
                problems.append(f"{where}: unknown member {key!r}")
        for key in ("date_published", "date_modified"):
            if key in item and not _DATE.match(item[key]):
                problems.append(f"{where}: {key} {item[key]!r} is not RFC 3339")
        if "authors" in item:
            _json_authors(problems, where, item["authors"])
    return problems
