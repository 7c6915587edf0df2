"""A real HTTP server on 127.0.0.1 that plays arXiv and Hugging Face for the ingestion tests.

Plain standard library: ``http.server.ThreadingHTTPServer`` in a background thread. Nothing in
paperfeed is patched or hooked; a test points paperfeed's source URLs (settings
``PAPERFEED_ARXIV_API_URL`` = ``<url>/api/query``, ``PAPERFEED_ARXIV_OAI_URL`` = ``<url>/oai``,
``PAPERFEED_ARXIV_RSS_URL`` = ``<url>/rss``, ``PAPERFEED_HF_URL`` = ``<url>``) at ``server.url``
and paperfeed talks real HTTP to it.

What each route serves, and where it comes from
-----------------------------------------------
``GET /api/query``
    RECORDED: the arXiv API Atom bodies in ``../shared/fixtures/arxiv-api/recorded-json`` served
    byte-for-byte with their recorded status, looked up by (search_query, id_list, start,
    max_results) (sortBy/sortOrder ignored, a missing parameter counts as ""). Anything else is
    a 404 with a short text body, so a test sees that the client asked for something unexpected.
    DERIVED bodies (see :func:`derive_atom`) can be registered with ``add_api_response``.
``GET /oai``
    OAI-PMH ``ListRecords``: REAL records (``oai_dc``: the 2,000 records, i.e. 1,000 distinct
    ones, of ``arxiv-oai/rocksonchang-oai_dc-records/xmltest2.xml``; ``arXiv``: the 46 records
    of invenio-oaiharvester's ``sample_arxiv_response_listrecords_cs.xml`` plus the 3 + 3 of
    hepcrawl's ``arxiv-physics-hep-ex.xml`` / ``arxiv-physics-hep-th.xml``), copied verbatim into
    a CONSTRUCTED envelope and paged ``oai_page_size`` records at a time with resumption tokens.
    One DERIVED record is added to the ``arXiv`` harvest: the header of the real record
    ``oai:arXiv.org:1507.03011`` (invenio-oaiharvester ``sample_arxiv_response.xml``, not part
    of the harvest otherwise) marked ``status="deleted"``, without metadata.
``GET /rss/<categories>``
    NO real arXiv RSS body is recorded. The bodies are CONSTRUCTED from arXiv's published RSS
    specification (https://info.arxiv.org/help/rss_specifications.html, 2024 format), using
    the titles, abstracts, authors, ids and categories of REAL papers taken from the recorded
    API Atom fixture ``arxiv-api/q_testing_s0_m100_cfe7536492ca.xml``
    (:func:`rss_items_from_fixture`). Every body says so in an XML comment.
``GET /pdf/<arxiv id>``
    NO arXiv PDF is recorded: a test registers the body of each id with ``add_pdf`` (the
    thumbnail tests make small real PDFs, tests/thumbnails/pdfs.py, or serve HTML error pages
    and cut files). An id without a body is a 404 with a short text body, as arXiv's is.
``GET /api/daily_papers``
    RECORDED: ``hf/daily_papers_2024-10-25.json`` for ``date=2024-10-25``, sliced by ``p``
    (0-based page) and ``limit``; other dates answer ``[]`` as Hugging Face does for a day
    without papers. DERIVED days can be added with ``add_hf_day``.

Failure scenarios (``fail_next``, ``truncate_next``, ``stall_next``, ``malformed_next``) form one
ordered queue: each call appends ``times`` one-shot entries, and each incoming request (any
route) consumes the next entry, so tests can script sequences such as "503, then 429 with
Retry-After, then a truncated body, then normal".
"""

from __future__ import annotations

import email.utils
import json
import re
import secrets
import sys
import threading
import time
import xml.dom.minidom
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import cycle, islice
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

# tests/sources/fixture_server.py → parents[2] is the repository, parents[3] the folder holding it.
SHARED = Path(__file__).resolve().parents[3] / "shared"
FIXTURES = SHARED / "fixtures"

ATOM_NS = "http://www.w3.org/2005/Atom"
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"
ARXIV_ATOM_NS = "http://arxiv.org/schemas/atom"
OAI_NS = "http://www.openarchives.org/OAI/2.0/"

API_PARAMS = ("search_query", "id_list", "start", "max_results")
ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8"
OAI_CONTENT_TYPE = "text/xml; charset=utf-8"
RSS_CONTENT_TYPE = "application/rss+xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"

RSS_SOURCE_FIXTURE = "arxiv-api/q_testing_s0_m100_cfe7536492ca.xml"
ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")
DEFAULT_LICENSE = "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
EASTERN = ZoneInfo("America/New_York")

OAI_DEFAULT_PAGE_SIZE = 100
OAI_STALL_SECONDS = 60.0
OAI_LEGAL_VERBS = {"Identify", "ListMetadataFormats", "ListSets", "ListIdentifiers", "ListRecords", "GetRecord"}
OAI_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$")
OAI_DELETED_SOURCE = "arxiv-oai/invenio-oaiharvester/sample_arxiv_response.xml"

HF_DEFAULT_LIMIT = 50  # assumption: applied only when a request sends no `limit`
HF_RECORDED_DAY = "2024-10-25"

RSS_COMMENT = (
    "CONSTRUCTED by tests/sources/fixture_server.py, not recorded: no real arXiv RSS body exists in "
    "../shared/fixtures. Built following arXiv's published RSS specification "
    "(https://info.arxiv.org/help/rss_specifications.html, 2024 format). Titles, abstracts, authors, "
    "ids, versions and categories are those of REAL papers taken from the recorded arXiv API Atom "
    "fixtures; announce types, dates and licences are set by the test."
)

_ABORT = object()  # a route's answer meaning: close the connection without answering


def fixtures_dir() -> Path:
    """The recorded fixtures beside the repository; raises (never skips) when they are missing."""
    if not FIXTURES.is_dir():
        raise FileNotFoundError(
            f"{FIXTURES} is missing: the fixture server serves the recorded responses in ../shared/fixtures"
        )
    return FIXTURES


def _require(path: Path) -> Path:
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: the fixture server needs this recorded fixture")
    return path


def api_key(params: Mapping[str, object]) -> tuple[str, str, str, str]:
    """The lookup key of an arXiv API request: (search_query, id_list, start, max_results)."""
    return tuple(str(params.get(name, "")) for name in API_PARAMS)  # type: ignore[return-value]


def _first_values(query: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, items in parse_qs(query, keep_blank_values=True).items():
        values[name] = items[0]
    return values


# ---------------------------------------------------------------------------------------------
# arXiv API (Atom)
# ---------------------------------------------------------------------------------------------


def load_recorded_api(fixtures: Path) -> dict[tuple[str, str, str, str], tuple[int, bytes, str]]:
    """{key: (status, body bytes, file name)} for every recorded ``{url, status_code, body}``."""
    folder = fixtures / "arxiv-api" / "recorded-json"
    files = sorted(folder.glob("*.json"))
    if not files:
        raise FileNotFoundError(f"{folder} holds no recorded arXiv API exchanges")
    recorded: dict[tuple[str, str, str, str], tuple[int, bytes, str]] = {}
    for path in files:
        exchange = json.loads(path.read_text(encoding="utf-8"))
        key = api_key(_first_values(urlsplit(exchange["url"]).query))
        if key in recorded:
            raise ValueError(f"{path.name} and {recorded[key][2]} record the same request {key}")
        recorded[key] = (int(exchange["status_code"]), exchange["body"].encode("utf-8"), path.name)
    return recorded


def derive_atom(
    body: str | bytes,
    keep_entries: slice,
    total_results: int,
    start_index: int,
    items_per_page: int,
) -> bytes:
    """A DERIVED arXiv API Atom body: a recorded body with only ``entries[keep_entries]`` left.

    The result is derived from a RECORDED arXiv response (e.g. one of ``arxiv-api/*.xml``), not
    recorded itself: the chosen ``<entry>`` elements are removed and ``opensearch:totalResults``,
    ``opensearch:startIndex`` and ``opensearch:itemsPerPage`` are set to the given values; every
    other byte of structure (namespaces and their prefixes, the remaining entries) is kept. The
    manipulation is real XML (``xml.dom.minidom``, which keeps the original prefixes), on our own
    fixture input. An XML comment in the body says it is derived.
    """
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    document = xml.dom.minidom.parseString(text.encode("utf-8"))
    feed = document.documentElement
    if (feed.namespaceURI, feed.localName) != (ATOM_NS, "feed"):
        raise ValueError("derive_atom needs an Atom <feed> body")
    entries = [node for node in feed.childNodes if node.nodeType == node.ELEMENT_NODE
               and (node.namespaceURI, node.localName) == (ATOM_NS, "entry")]
    kept = {id(entry) for entry in entries[keep_entries]}
    for entry in entries:
        if id(entry) in kept:
            continue
        previous = entry.previousSibling
        if previous is not None and previous.nodeType == previous.TEXT_NODE and not previous.data.strip():
            feed.removeChild(previous)
        feed.removeChild(entry)
    for name, value in (("totalResults", total_results), ("startIndex", start_index), ("itemsPerPage", items_per_page)):
        found = feed.getElementsByTagNameNS(OPENSEARCH_NS, name)
        if not found:
            raise ValueError(f"the body has no opensearch:{name} to adjust")
        element = found[0]
        for child in list(element.childNodes):
            element.removeChild(child)
        element.appendChild(document.createTextNode(str(value)))
    document.insertBefore(
        document.createComment(
            " DERIVED by tests/sources/fixture_server.py from a RECORDED arXiv API body: entries "
            f"kept {keep_entries.start}:{keep_entries.stop}:{keep_entries.step}, opensearch "
            f"totalResults={total_results} startIndex={start_index} itemsPerPage={items_per_page} "
        ),
        feed,
    )
    return document.toxml(encoding="utf-8") + b"\n"


# ---------------------------------------------------------------------------------------------
# OAI-PMH
# ---------------------------------------------------------------------------------------------

_RECORD = re.compile(r"<record>.*?</record>", re.S)
_IDENTIFIER = re.compile(r"<identifier>\s*([^<\s]+)\s*</identifier>")
_HEADER = re.compile(r"<header>(.*?)</header>", re.S)


@dataclass(frozen=True)
class OaiRecord:
    identifier: str  # "oai:arXiv.org:0704.0042"
    xml: str  # the <record>…</record> text, verbatim from the fixture (or derived, for deleted)
    deleted: bool = False

    @property
    def arxiv_id(self) -> str:
        return self.identifier.removeprefix("oai:arXiv.org:")


def _records_of(path: Path) -> list[OaiRecord]:
    text = _require(path).read_text(encoding="utf-8")
    records = []
    for raw in _RECORD.findall(text):
        match = _IDENTIFIER.search(raw)
        if match is None:
            raise ValueError(f"a <record> without <identifier> in {path}")
        records.append(OaiRecord(match.group(1), raw))
    if not records:
        raise ValueError(f"no <record> in {path}")
    return records


def _dedupe(records: list[OaiRecord]) -> list[OaiRecord]:
    seen: set[str] = set()
    distinct = []
    for record in records:
        if record.identifier not in seen:
            seen.add(record.identifier)
            distinct.append(record)
    return distinct


def load_oai_records(fixtures: Path) -> tuple[dict[str, list[OaiRecord]], str]:
    """({metadataPrefix: records in harvest order}, the arXiv id of the derived deleted record).

    ``oai_dc``: xmltest2.xml holds its 1,000 records twice over (records 1001-2000 repeat
    1-1000 byte for byte); they are deduplicated by identifier, first occurrence kept.
    ``arXiv``: the invenio ``cs`` ListRecords then hepcrawl's hep-ex and hep-th ones, deduplicated,
    with the derived deleted record inserted in the middle.
    """
    oai = fixtures / "arxiv-oai"
    oai_dc = _dedupe(_records_of(oai / "rocksonchang-oai_dc-records" / "xmltest2.xml"))
    arxiv = _dedupe(
        _records_of(oai / "invenio-oaiharvester" / "sample_arxiv_response_listrecords_cs.xml")
        + _records_of(oai / "hepcrawl" / "arxiv-physics-hep-ex.xml")
        + _records_of(oai / "hepcrawl" / "arxiv-physics-hep-th.xml")
    )
    source = _require(fixtures / OAI_DELETED_SOURCE).read_text(encoding="utf-8")
    header = _HEADER.search(source)
    assert header is not None, f"no <header> in {OAI_DELETED_SOURCE}"
    identifier = _IDENTIFIER.search(header.group(1))
    assert identifier is not None
    if identifier.group(1) in {record.identifier for record in arxiv}:
        raise ValueError(f"{identifier.group(1)} is already in the arXiv harvest; pick another deleted record")
    lines = [line.strip() for line in header.group(1).strip().splitlines()]
    deleted_xml = (
        f"<!-- DERIVED by tests/sources/fixture_server.py: the header of the real record {identifier.group(1)} "
        f"({OAI_DELETED_SOURCE}) marked status=\"deleted\", metadata removed -->\n"
        '<record>\n<header status="deleted">\n' + "".join(f" {line}\n" for line in lines) + "</header>\n</record>"
    )
    deleted = OaiRecord(identifier.group(1), deleted_xml, deleted=True)
    arxiv.insert(len(arxiv) // 2, deleted)
    return {"oai_dc": oai_dc, "arXiv": arxiv}, deleted.arxiv_id


@dataclass
class _Harvest:
    harvest_id: str
    prefix: str
    page_size: int
    records: list[OaiRecord]

    @property
    def page_count(self) -> int:
        return max(1, -(-len(self.records) // self.page_size))


def _oai_envelope(base_url: str, request_attributes: Mapping[str, str], inner: str) -> bytes:
    attributes = "".join(f" {name}={quoteattr(value)}" for name, value in request_attributes.items())
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<!-- Envelope CONSTRUCTED by tests/sources/fixture_server.py; the <record> elements are REAL "
        "arXiv OAI-PMH records copied verbatim from ../shared/fixtures/arxiv-oai (except one derived "
        "deleted header in the arXiv-format harvest, marked by its own comment). -->\n"
        f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
        f"<responseDate>{now}</responseDate>\n"
        f"<request{attributes}>{escape(base_url)}</request>\n"
        f"{inner}\n"
        "</OAI-PMH>\n"
    ).encode("utf-8")


def _oai_error(base_url: str, request_attributes: Mapping[str, str], code: str, message: str) -> bytes:
    return _oai_envelope(base_url, request_attributes, f'<error code="{code}">{escape(message)}</error>')


# ---------------------------------------------------------------------------------------------
# arXiv RSS (constructed)
# ---------------------------------------------------------------------------------------------


def _atom_text(element: ET.Element | None) -> str:
    return " ".join((element.text or "").split()) if element is not None else ""


def rss_items_from_fixture(n: int, announce_types: list[str], fixtures: Path | None = None) -> list[dict]:
    """``n`` REAL papers of the recorded API fixture (``q_testing_s0_m100``) as RSS item dicts.

    Each dict: id, version, announce_type (``announce_types`` cycled), title, abstract,
    authors (list), categories (list, primary first). ids/versions/titles/abstracts/authors/
    categories are the recorded ones; the announce types are the caller's.
    """
    if not announce_types:
        raise ValueError("announce_types must name at least one type")
    for kind in announce_types:
        if kind not in ANNOUNCE_TYPES:
            raise ValueError(f"unknown announce type {kind!r}; arXiv uses {ANNOUNCE_TYPES}")
    path = _require((fixtures or fixtures_dir()) / RSS_SOURCE_FIXTURE)
    entries = ET.parse(path).getroot().findall(f"{{{ATOM_NS}}}entry")
    if n > len(entries):
        raise ValueError(f"{path.name} holds only {len(entries)} papers, {n} asked")
    items = []
    for entry, kind in zip(entries[:n], islice(cycle(announce_types), n), strict=True):
        abs_url = _atom_text(entry.find(f"{{{ATOM_NS}}}id"))
        match = re.fullmatch(r"https?://arxiv\.org/abs/(.+?)v(\d+)", abs_url)
        assert match, f"unexpected entry id {abs_url!r} in {path.name}"
        primary = entry.find(f"{{{ARXIV_ATOM_NS}}}primary_category")
        categories = [c.get("term", "") for c in entry.findall(f"{{{ATOM_NS}}}category")]
        if primary is not None and primary.get("term") in categories:
            categories.remove(primary.get("term"))
            categories.insert(0, primary.get("term"))
        items.append(
            {
                "id": match.group(1),
                "version": int(match.group(2)),
                "announce_type": kind,
                "title": _atom_text(entry.find(f"{{{ATOM_NS}}}title")),
                "abstract": (entry.findtext(f"{{{ATOM_NS}}}summary") or "").strip(),
                "authors": [_atom_text(a.find(f"{{{ATOM_NS}}}name")) for a in entry.findall(f"{{{ATOM_NS}}}author")],
                "categories": categories,
            }
        )
    return items


def _rss_dates(pub_date: str | date) -> tuple[str, str]:
    """(channel/item pubDate, lastBuildDate) for an announcement day or an RFC 822 date."""
    if isinstance(pub_date, date):
        moment = datetime(pub_date.year, pub_date.month, pub_date.day, tzinfo=EASTERN)
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", pub_date):
        day = date.fromisoformat(pub_date)
        moment = datetime(day.year, day.month, day.day, tzinfo=EASTERN)
    else:
        moment = email.utils.parsedate_to_datetime(pub_date)
    built = moment.astimezone(UTC) + timedelta(seconds=11)
    return email.utils.format_datetime(moment), built.strftime("%a, %d %b %Y %H:%M:%S +0000")


def build_rss(categories: str, items: list[dict], pub_date: str | date) -> bytes:
    """A CONSTRUCTED arXiv RSS 2.0 body (see RSS_COMMENT); ``items == []`` is a day without announcements."""
    published, built = _rss_dates(pub_date)
    feed_url = f"http://rss.arxiv.org/rss/{categories}"
    parts = [
        "<?xml version='1.0' encoding='UTF-8'?>\n",
        f"<!-- {RSS_COMMENT} -->\n",
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'version="2.0">\n',
        "  <channel>\n",
        f"    <title>{escape(categories)} updates on arXiv.org</title>\n",
        f"    <link>{escape(feed_url)}</link>\n",
        f"    <description>{escape(categories)} updates on the arXiv.org e-print archive.</description>\n",
        f'    <atom:link href={quoteattr(feed_url)} rel="self" type="application/rss+xml"/>\n',
        "    <docs>http://www.rssboard.org/rss-specification</docs>\n",
        "    <language>en-us</language>\n",
        f"    <lastBuildDate>{built}</lastBuildDate>\n",
        "    <managingEditor>rss-help@arxiv.org</managingEditor>\n",
        f"    <pubDate>{published}</pubDate>\n",
        "    <skipDays>\n      <day>Saturday</day>\n      <day>Sunday</day>\n    </skipDays>\n",
    ]
    for item in items:
        kind = item["announce_type"]
        if kind not in ANNOUNCE_TYPES:
            raise ValueError(f"unknown announce type {kind!r}; arXiv uses {ANNOUNCE_TYPES}")
        versioned = f"{item['id']}v{int(item['version'])}"
        description = f"arXiv:{versioned} Announce Type: {kind} \nAbstract: {item['abstract']}"
        parts.append("    <item>\n")
        parts.append(f"      <title>{escape(item['title'])}</title>\n")
        parts.append(f"      <link>https://arxiv.org/abs/{escape(item['id'])}</link>\n")
        parts.append(f"      <description>{escape(description)}</description>\n")
        parts.append(f'      <guid isPermaLink="false">oai:arXiv.org:{escape(versioned)}</guid>\n')
        for category in item["categories"]:
            parts.append(f"      <category>{escape(category)}</category>\n")
        parts.append(f"      <pubDate>{published}</pubDate>\n")
        parts.append(f"      <arxiv:announce_type>{kind}</arxiv:announce_type>\n")
        parts.append(f"      <dc:rights>{escape(item.get('license') or DEFAULT_LICENSE)}</dc:rights>\n")
        parts.append(f"      <dc:creator>{escape(', '.join(item['authors']))}</dc:creator>\n")
        parts.append("    </item>\n")
    parts.append("  </channel>\n</rss>\n")
    return "".join(parts).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------


@dataclass
class _Response:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Scenario:
    kind: str  # "fail" | "truncate" | "stall" | "malformed"
    status: int = 200
    retry_after: str | None = None
    seconds: float = 0.0
    body: bytes = b""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fixture: FixtureServer

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        # A client that gave up (read timeout, killed process) makes our writes fail: expected here.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "paperfeed-fixture-server/1"
    timeout = 30  # an idle keep-alive connection frees its thread after this long

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        fixture = self.server.fixture  # type: ignore[attr-defined]
        split = urlsplit(self.path)
        path = unquote(split.path)
        query = _first_values(split.query)
        fixture._log(self.command, path, query)
        scenario = fixture._next_scenario()
        try:
            if scenario is not None and scenario.kind == "fail":
                headers = {"Retry-After": scenario.retry_after} if scenario.retry_after is not None else {}
                body = f"fixture_server: scripted HTTP {scenario.status}\n".encode()
                self._send(_Response(scenario.status, TEXT_CONTENT_TYPE, body, headers))
                return
            if scenario is not None and scenario.kind == "malformed":
                self._send(_Response(200, _content_type_for(path), scenario.body))
                return
            if scenario is not None and scenario.kind == "stall":
                if fixture._stall(scenario.seconds):
                    self.close_connection = True  # shutting down or reset: drop the request
                    return
            response = fixture._route(path, query)
            if response is _ABORT:
                self.close_connection = True
                return
            if scenario is not None and scenario.kind == "truncate":
                self._send(response, truncate=True)
                return
            self._send(response)
        except OSError:  # the client went away
            self.close_connection = True
        except Exception as exc:  # a bug in this server: say so to the client rather than hang up
            self.close_connection = True
            try:
                self._send(_Response(500, TEXT_CONTENT_TYPE, f"fixture_server error: {exc!r}\n".encode()))
            except OSError:
                pass
            raise

    def _send(self, response: _Response, truncate: bool = False) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(response.body[: len(response.body) // 2] if truncate else response.body)
        self.wfile.flush()
        if truncate:
            self.close_connection = True


def _content_type_for(path: str) -> str:
    if path == "/api/query":
        return ATOM_CONTENT_TYPE
    if path == "/oai":
        return OAI_CONTENT_TYPE
    if path.startswith("/rss/"):
        return RSS_CONTENT_TYPE
    if path == "/api/daily_papers":
        return JSON_CONTENT_TYPE
    if path.startswith("/pdf/"):
        return "application/pdf"
    return TEXT_CONTENT_TYPE


class FixtureServer:
    """arXiv API / OAI-PMH / RSS and Hugging Face daily_papers on 127.0.0.1, in a background thread.

    ``start()`` / ``stop()`` (or use as a context manager). ``reset()`` returns it to its
    initial state between tests: request log, scenario queue, derived API responses, added HF
    days, RSS feeds, PDFs, issued OAI tokens, ``oai_page_size`` and ``oai_stall_after_pages``; it
    also wakes any request that is stalling.

    OAI attributes: ``oai_page_size`` (records per ListRecords page, default 100, fixed per
    harvest when its first page is served); ``oai_stall_after_pages = N`` makes the request for
    the page with 0-based index N (i.e. after N pages of a harvest were served) hang for up to
    60 s, or until reset()/stop(), and then drops the connection unanswered — it stays in force
    until set back to None (a resumed harvest that asks for that page hangs again);
    ``oai_deleted_id`` is the arXiv id of the derived deleted record of the ``arXiv`` harvest.
    A harvest that fits in one page carries no resumptionToken at all (OAI-PMH 3.5); ``set``,
    ``from`` and ``until`` are echoed and validated but do not filter the records, except that
    a ``from`` after 2030 answers noRecordsMatch.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, fixtures: Path | None = None) -> None:
        self.fixtures = fixtures or fixtures_dir()
        self._host, self._port = host, port
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closing = False
        self._requests: list[tuple[float, str, str, dict[str, str]]] = []
        self._scenarios: list[_Scenario] = []
        self._recorded_api = load_recorded_api(self.fixtures)
        self._derived_api: dict[tuple[str, str, str, str], tuple[int, bytes]] = {}
        self._oai_records, self.oai_deleted_id = load_oai_records(self.fixtures)
        self._oai_tokens: dict[str, tuple[_Harvest, int]] = {}
        hf_path = _require(self.fixtures / "hf" / f"daily_papers_{HF_RECORDED_DAY}.json")
        self._hf_recorded = {HF_RECORDED_DAY: hf_path.read_bytes()}
        self._hf_days: dict[str, bytes] = {}
        self._rss: dict[str, bytes] = {}
        self._pdfs: dict[str, _Response] = {}
        self.oai_page_size = OAI_DEFAULT_PAGE_SIZE
        self.oai_stall_after_pages: int | None = None
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FixtureServer:
        httpd = _HTTPServer((self._host, self._port), _Handler)
        httpd.fixture = self
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, name="fixture-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut down cleanly: wake stalled requests, stop serving, close the socket, join the thread."""
        self._closing = True
        self._wake.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
            assert not self._thread.is_alive(), "the fixture server thread did not stop"
        self._httpd = self._thread = None

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._httpd is not None, "the fixture server is not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._scenarios.clear()
            self._derived_api.clear()
            self._hf_days.clear()
            self._rss.clear()
            self._pdfs.clear()
            self._oai_tokens.clear()
            self.oai_page_size = OAI_DEFAULT_PAGE_SIZE
            self.oai_stall_after_pages = None
            woken, self._wake = self._wake, threading.Event()
        woken.set()

    # -- request log --------------------------------------------------------------------------

    @property
    def requests(self) -> list[tuple[float, str, str, dict[str, str]]]:
        """A snapshot of the log: (arrival, method, path, {param: first value}).

        The arrival is wall-clock time (time.time()), the clock of paperfeed's pacer, so tests
        can put the pacer's logged request starts and the arrivals on one time line."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[tuple[float, str, str, dict[str, str]]]:
        return [entry for entry in self.requests if entry[2] == path or entry[2].startswith(path.rstrip("/") + "/")]

    def _log(self, method: str, path: str, query: dict[str, str]) -> None:
        with self._lock:
            self._requests.append((time.time(), method, path, dict(query)))

    # -- failure scenarios --------------------------------------------------------------------

    def fail_next(self, status: int = 503, retry_after: str | None = None, times: int = 1) -> None:
        if not 400 <= status <= 599:
            raise ValueError("fail_next answers with an HTTP error status")
        self._enqueue(_Scenario("fail", status=status, retry_after=retry_after), times)

    def truncate_next(self, times: int = 1) -> None:
        """Send the real status and a correct Content-Length, then half the body, then close."""
        self._enqueue(_Scenario("truncate"), times)

    def stall_next(self, seconds: float, times: int = 1) -> None:
        """Sleep ``seconds`` before answering normally (woken early by reset() or stop())."""
        self._enqueue(_Scenario("stall", seconds=seconds), times)

    def malformed_next(self, body: bytes, times: int = 1) -> None:
        """Answer 200 with ``body`` (and the route's usual Content-Type) instead of the real body."""
        self._enqueue(_Scenario("malformed", body=bytes(body)), times)

    def _enqueue(self, scenario: _Scenario, times: int) -> None:
        with self._lock:
            self._scenarios.extend([scenario] * times)

    def _next_scenario(self) -> _Scenario | None:
        with self._lock:
            return self._scenarios.pop(0) if self._scenarios else None

    def _stall(self, seconds: float) -> bool:
        """Sleep; True when woken by reset()/stop() (the request should then be dropped)."""
        with self._lock:
            wake = self._wake
        return wake.wait(seconds) or self._closing

    # -- routes -------------------------------------------------------------------------------

    def _route(self, path: str, query: dict[str, str]) -> _Response | object:
        if path == "/api/query":
            return self._api(query)
        if path == "/oai":
            return self._oai(query)
        if path.startswith("/rss/"):
            return self._rss_route(path.removeprefix("/rss/"))
        if path == "/api/daily_papers":
            return self._hf(query)
        if path.startswith("/pdf/"):
            return self._pdf(path.removeprefix("/pdf/"))
        return _Response(404, TEXT_CONTENT_TYPE, f"fixture_server: no route for {path}\n".encode())

    # arXiv API

    def add_api_response(self, params: Mapping[str, object], body: str | bytes, status: int = 200) -> None:
        """Serve ``body`` (a DERIVED Atom body, e.g. from derive_atom) for these API parameters."""
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        with self._lock:
            self._derived_api[api_key(params)] = (status, data)

    def recorded_api_keys(self) -> list[tuple[str, str, str, str]]:
        return sorted(self._recorded_api)

    def _api(self, query: dict[str, str]) -> _Response:
        key = api_key(query)
        with self._lock:
            derived = self._derived_api.get(key)
        if derived is not None:
            return _Response(derived[0], ATOM_CONTENT_TYPE, derived[1])
        if key in self._recorded_api:
            status, body, _name = self._recorded_api[key]
            return _Response(status, ATOM_CONTENT_TYPE, body)
        described = " ".join(f"{name}={value!r}" for name, value in zip(API_PARAMS, key, strict=True))
        return _Response(404, TEXT_CONTENT_TYPE, f"fixture_server: no recorded arXiv API response for {described}\n".encode())

    # OAI-PMH

    def oai_identifiers(self, prefix: str = "oai_dc", include_deleted: bool = True) -> list[str]:
        """The distinct arXiv ids the full harvest of ``prefix`` contains, in harvest order.

        ``include_deleted=False`` leaves out the derived deleted record (``oai_deleted_id``).
        """
        return [r.arxiv_id for r in self._oai_records[prefix] if include_deleted or not r.deleted]

    def expire_tokens(self) -> None:
        """Invalidate every resumption token issued so far (the next use gets badResumptionToken)."""
        with self._lock:
            self._oai_tokens.clear()

    def _oai(self, query: dict[str, str]) -> _Response | object:
        base = f"{self.url}/oai"
        verb = query.get("verb", "")
        if verb not in OAI_LEGAL_VERBS:
            return self._oai_response(_oai_error(base, {}, "badVerb", f"Illegal verb {verb!r}"))
        if verb != "ListRecords":
            return _Response(501, TEXT_CONTENT_TYPE, f"fixture_server implements only ListRecords, not {verb}\n".encode())
        token = query.get("resumptionToken")
        if token is not None:
            extra = sorted(set(query) - {"verb", "resumptionToken"})
            if extra:
                return self._oai_response(
                    _oai_error(base, {}, "badArgument", f"resumptionToken is an exclusive argument; also got {extra}")
                )
            echo = {"verb": verb, "resumptionToken": token}
            with self._lock:
                found = self._oai_tokens.get(token)
            if found is None:
                return self._oai_response(
                    _oai_error(base, echo, "badResumptionToken", f"The value of the resumptionToken argument ({token}) is invalid or expired.")
                )
            harvest, page = found
            return self._oai_page(base, echo, harvest, page)
        allowed = {"verb", "metadataPrefix", "set", "from", "until"}
        unknown = sorted(set(query) - allowed)
        if unknown:
            return self._oai_response(_oai_error(base, {}, "badArgument", f"Illegal arguments {unknown}"))
        prefix = query.get("metadataPrefix")
        if not prefix:
            return self._oai_response(_oai_error(base, {}, "badArgument", "metadataPrefix is required"))
        echo = {name: query[name] for name in ("verb", "metadataPrefix", "set", "from", "until") if name in query}
        for name in ("from", "until"):
            if name in query and not OAI_DATE.match(query[name]):
                return self._oai_response(_oai_error(base, {}, "badArgument", f"{name}={query[name]!r} is not a valid date"))
        if "from" in query and "until" in query and query["until"][:10] < query["from"][:10]:
            return self._oai_response(_oai_error(base, {}, "badArgument", "until is before from"))
        if prefix not in self._oai_records:
            return self._oai_response(
                _oai_error(base, echo, "cannotDisseminateFormat", f"{prefix!r} is not supported by this fixture server")
            )
        if query.get("from", "")[:10] > "2030-12-31":
            return self._oai_response(
                _oai_error(base, echo, "noRecordsMatch", "No records match the parameters specified for this harvesting request.")
            )
        with self._lock:
            page_size = int(self.oai_page_size)
        if page_size < 1:
            raise ValueError("oai_page_size must be at least 1")
        harvest = _Harvest(secrets.token_hex(6), prefix, page_size, self._oai_records[prefix])
        return self._oai_page(base, echo, harvest, 0)

    def _oai_page(self, base: str, echo: dict[str, str], harvest: _Harvest, page: int) -> _Response | object:
        with self._lock:
            stall_at = self.oai_stall_after_pages
            wake = self._wake
        if stall_at is not None and page == stall_at:
            wake.wait(OAI_STALL_SECONDS)
            return _ABORT  # woken (reset/stop) or timed out: drop the connection unanswered
        first = page * harvest.page_size
        records = harvest.records[first : first + harvest.page_size]
        inner = ["<ListRecords>"]
        inner.extend(record.xml for record in records)
        size = len(harvest.records)
        if harvest.page_count > 1:
            attributes = f'cursor="{first}" completeListSize="{size}"'
            if page + 1 < harvest.page_count:
                token = f"page-{page + 1}-{harvest.harvest_id}"
                with self._lock:
                    self._oai_tokens[token] = (harvest, page + 1)
                inner.append(f"<resumptionToken {attributes}>{token}</resumptionToken>")
            else:
                inner.append(f"<resumptionToken {attributes}/>")
        inner.append("</ListRecords>")
        return self._oai_response(_oai_envelope(base, echo, "\n".join(inner)))

    @staticmethod
    def _oai_response(body: bytes) -> _Response:
        return _Response(200, OAI_CONTENT_TYPE, body)

    # arXiv RSS

    def set_rss(self, categories: str, items: list[dict], pub_date: str | date) -> None:
        """Serve a CONSTRUCTED RSS feed for ``/rss/<categories>`` (e.g. "cs.LG+cs.CL")."""
        body = build_rss(categories, items, pub_date)
        with self._lock:
            self._rss[categories] = body

    def set_rss_empty(self, categories: str, pub_date: str | date = "2024-10-26") -> None:
        """A day without announcements: the channel with no <item> (arXiv's weekend/holiday feed)."""
        self.set_rss(categories, [], pub_date)

    def _rss_route(self, categories: str) -> _Response:
        with self._lock:
            body = self._rss.get(categories)
        if body is None:
            return _Response(404, TEXT_CONTENT_TYPE, f"fixture_server: no RSS feed set for {categories!r}\n".encode())
        return _Response(200, RSS_CONTENT_TYPE, body)

    # arXiv PDFs (for thumbnails)

    def add_pdf(self, arxiv_id: str, body: bytes, content_type: str = "application/pdf", status: int = 200) -> None:
        """Serve ``body`` for ``/pdf/<arxiv_id>`` (any bytes: a real PDF, an HTML page, a cut file)."""
        with self._lock:
            self._pdfs[arxiv_id] = _Response(status, content_type, bytes(body))

    def _pdf(self, arxiv_id: str) -> _Response:
        with self._lock:
            found = self._pdfs.get(arxiv_id)
        return found or _Response(404, TEXT_CONTENT_TYPE, f"fixture_server: no PDF for {arxiv_id!r}\n".encode())

    # Hugging Face

    def add_hf_day(self, day: str, items_json_bytes: bytes | str) -> None:
        """Serve a DERIVED daily_papers body (a JSON list) for ``date=<day>``."""
        data = items_json_bytes.encode("utf-8") if isinstance(items_json_bytes, str) else bytes(items_json_bytes)
        if not isinstance(json.loads(data), list):
            raise ValueError("a daily_papers body is a JSON list")
        with self._lock:
            self._hf_days[day] = data

    def _hf(self, query: dict[str, str]) -> _Response:
        try:
            page = int(query.get("p", "0"))
            limit = int(query.get("limit", str(HF_DEFAULT_LIMIT)))
            if page < 0 or limit < 1:
                raise ValueError
        except ValueError:
            return _Response(400, JSON_CONTENT_TYPE, b'{"error":"p must be >= 0 and limit >= 1"}')
        with self._lock:
            days = {**self._hf_recorded, **self._hf_days}
        if "date" in query:
            chosen = [query["date"]] if query["date"] in days else []
        elif "week" in query:
            chosen = sorted(d for d in days if _iso_week(d) == query["week"])
        elif "month" in query:
            chosen = sorted(d for d in days if d[:7] == query["month"])
        else:
            chosen = []
        if len(chosen) == 1 and page == 0 and limit >= len(json.loads(days[chosen[0]])):
            return _Response(200, JSON_CONTENT_TYPE, days[chosen[0]])  # the recorded bytes, untouched
        items = [item for day in chosen for item in json.loads(days[day])]
        sliced = items[page * limit : (page + 1) * limit]
        return _Response(200, JSON_CONTENT_TYPE, json.dumps(sliced, ensure_ascii=False).encode("utf-8"))


def _iso_week(day: str) -> str:
    try:
        year, week, _ = date.fromisoformat(day).isocalendar()
    except ValueError:
        return ""
    return f"{year}-W{week:02d}"
