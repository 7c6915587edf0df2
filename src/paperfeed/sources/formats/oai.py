"""OAI-PMH responses from arXiv (``export.arxiv.org/oai2``): ListRecords and GetRecord pages.

Three metadata formats are read:

- ``arXiv``: ``id, created`` (v1 date), ``updated`` (latest version's date, number unknown),
  ``authors/author/{keyname, forenames, suffix}``, ``title, categories, comments, report-no,
  journal-ref, doi, license, abstract``;
- ``arXivRaw``: like ``arXiv`` but with the byline as one string and every version as
  ``<version version="v2"><date>RFC 2822</date><size>12kb</size></version>``;
- ``oai_dc`` (Dublin Core): ``dc:identifier`` holds the abs URL (and the journal-ref and
  ``doi:...`` identifiers), ``dc:creator`` is "Last, First", the first ``dc:description`` is
  the abstract and a later "Comment: ..." one the comments, the first ``dc:date`` is v1 and the
  last the latest version. ``dc:subject`` holds category *names* ("Quantum Physics"), not codes,
  so categories come only from the header's ``setSpec`` where a set is itself a category.

A header with ``status="deleted"`` gives :class:`Deleted`. The page's ``resumptionToken``
(text, ``cursor``, ``completeListSize``) is returned for paging; an empty token text means
the list is complete. The OAI error ``noRecordsMatch`` is an empty page; every other OAI
error raises :class:`OAIError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO
from xml.etree.ElementTree import Element

from paperfeed.papers.ids import parse_arxiv_reference
from paperfeed.sources.formats import Deleted, Problem, make_problem, record_or_problem
from paperfeed.sources.formats._xml import (
    XMLUnreadable,
    child,
    children,
    iter_elements,
    layout_dedent,
    local,
    raw,
    text,
)
from paperfeed.papers.record import PaperRecord

# OAI sets named "group:archive" whose archive is also a category code (it has no subject
# classes), so membership alone names the category. "cs" or "math" name no single category.
_LEAF_ARCHIVES = {"gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math-ph", "nucl-ex", "nucl-th", "quant-ph"}

# What a page holds: records (directly in ListRecords/GetRecord), the token, an error.
_WANTED = {"record": {"ListRecords", "GetRecord"}, "resumptionToken": set(), "error": set()}


class OAIError(Exception):
    """An OAI-PMH protocol error other than noRecordsMatch (badResumptionToken, badArgument...)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ResumptionToken:
    token: str  # "" when this was the last page
    cursor: int | None = None
    complete_list_size: int | None = None


@dataclass
class OAIPage:
    items: list[PaperRecord | Deleted | Problem] = field(default_factory=list)
    resumption: ResumptionToken | None = None
    # Why the body could not be read to the end ("" if it could): a pager must not take a
    # cut-off page for the last one.
    unreadable: str = ""


def parse_oai(data: bytes | str | BinaryIO, location: str = "oai") -> OAIPage:
    page = OAIPage()
    try:
        # The root: an OAI-PMH response, or the bare list some recorded harvests were saved as.
        for element in iter_elements(data, _WANTED, roots={"OAI-PMH", "ListRecords", "GetRecord"}):
            name = local(element.tag)
            if name == "record":
                page.items.append(_record(element, f"{location} record {len(page.items) + 1}"))
            elif name == "resumptionToken":
                page.resumption = ResumptionToken(
                    token=text(element).strip(),
                    cursor=_int(element.get("cursor")),
                    complete_list_size=_int(element.get("completeListSize")),
                )
            else:
                code, message = element.get("code", ""), " ".join(text(element).split())
                if code != "noRecordsMatch":
                    raise OAIError(code, message)
    except XMLUnreadable as exc:
        page.unreadable = str(exc)
        snippet = data[:65536] if isinstance(data, (bytes, str)) else ""
        if isinstance(snippet, bytes):
            snippet = snippet.decode("utf-8", errors="replace")
        page.items.append(make_problem(location, str(exc), snippet))
    return page


def _record(record: Element, where: str) -> PaperRecord | Deleted | Problem:
    header = child(record, "header")
    if header is None:
        return make_problem(where, "record has no header", raw(record))
    identifier = text(header, "identifier").strip()
    where = f"{where} ({identifier})"
    if header.get("status") == "deleted":
        parsed = parse_arxiv_reference(identifier.removeprefix("oai:arXiv.org:"))
        if parsed is None:
            return make_problem(where, "deleted record with an unreadable identifier", raw(record))
        return Deleted(parsed.id)
    metadata = child(record, "metadata")
    body = next(iter(metadata), None) if metadata is not None else None
    if body is None:
        return make_problem(where, "record has no metadata", raw(record))
    kind = local(body.tag)
    if kind == "arXiv":
        return _arxiv(body, where, raw(record))
    if kind == "arXivRaw":
        return _arxiv_raw(body, where, raw(record))
    if kind == "dc":
        sets = [text(s).strip() for s in children(header, "setSpec")]
        return _oai_dc(body, sets, identifier, where, raw(record))
    return make_problem(where, f"unsupported metadata format {body.tag!r}", raw(record))


def _arxiv(body: Element, where: str, payload: str) -> PaperRecord | Problem:
    authors_element = child(body, "authors")
    authors = []
    for author in children(authors_element, "author") if authors_element is not None else []:
        parts = (text(author, "forenames"), text(author, "keyname"), text(author, "suffix"))
        authors.append(" ".join(p.strip() for p in parts if p.strip()))
    created = text(body, "created").strip()
    return record_or_problem(
        where,
        payload,
        arxiv_id=text(body, "id"),
        title=text(body, "title"),
        abstract=layout_dedent(text(body, "abstract")),
        authors=authors,
        categories=text(body, "categories"),
        # Only v1's date is known: `updated` is the latest version's, but not its number.
        versions=[{"version": "v1", "created": created}] if created else [],
        updated=text(body, "updated").strip() or None,
        comments=text(body, "comments"),
        journal_ref=text(body, "journal-ref"),
        doi=text(body, "doi"),
        report_no=text(body, "report-no"),
        license=text(body, "license"),
    )


def _arxiv_raw(body: Element, where: str, payload: str) -> PaperRecord | Problem:
    versions = [
        {"version": v.get("version", ""), "created": text(v, "date").strip(), "size": text(v, "size").strip()}
        for v in children(body, "version")
    ]
    return record_or_problem(
        where,
        payload,
        arxiv_id=text(body, "id"),
        title=text(body, "title"),
        abstract=layout_dedent(text(body, "abstract")),
        authors=text(body, "authors"),
        categories=text(body, "categories"),
        versions=versions,
        comments=text(body, "comments"),
        journal_ref=text(body, "journal-ref"),
        doi=text(body, "doi"),
        report_no=text(body, "report-no"),
        license=text(body, "license"),
        submitter=text(body, "submitter"),
    )


def _oai_dc(body: Element, sets: list[str], identifier: str, where: str, payload: str) -> PaperRecord | Problem:
    arxiv_id, dois, refs = "", [], []
    for value in (text(e).strip() for e in children(body, "identifier")):
        parsed = parse_arxiv_reference(value)
        if parsed and not arxiv_id:
            arxiv_id = str(parsed)
        elif value.lower().startswith("doi:"):
            dois.append(value[4:].strip())
        elif value and not value.lower().startswith(("http://", "https://")):
            refs.append(value)  # arXiv lists the journal-ref as an identifier too
    if not arxiv_id:  # fall back on the header: "oai:arXiv.org:0704.0042"
        arxiv_id = identifier.removeprefix("oai:arXiv.org:")
    descriptions = [text(e) for e in children(body, "description")]
    comments = [d.strip()[len("Comment:") :] for d in descriptions[1:] if d.strip().startswith("Comment:")]
    dates = [text(e).strip() for e in children(body, "date") if text(e).strip()]
    return record_or_problem(
        where,
        payload,
        arxiv_id=arxiv_id,
        title=text(body, "title"),
        abstract=layout_dedent(descriptions[0]) if descriptions else "",
        authors=[_last_first(text(e)) for e in children(body, "creator")],
        categories=[s.split(":")[-1] for s in sets if s.split(":")[-1] in _LEAF_ARCHIVES],
        versions=[{"version": "v1", "created": dates[0]}] if dates else [],
        updated=dates[-1] if len(dates) > 1 else None,
        comments=" ".join(comments),
        journal_ref="; ".join(refs),
        # arXiv's own doi field separates several DOIs with a space.
        doi=" ".join(dois),
    )


def _last_first(creator: str) -> str:
    """ "de Naray, Rachel Kuzio" → "Rachel Kuzio de Naray"; "Smith, John, Jr" → "John Smith Jr"."""
    parts = [p.strip() for p in creator.split(",")]
    if len(parts) < 2:
        return creator
    return " ".join(p for p in [parts[1], parts[0], *parts[2:]] if p)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None
