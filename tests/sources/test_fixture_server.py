"""The loopback server that plays arXiv and Hugging Face (fixture_server.py), tested over real HTTP.

Bodies compared here are the RECORDED ones in ../shared/fixtures; the derived Atom page, the
deleted OAI record and the RSS feeds are DERIVED/CONSTRUCTED by fixture_server.py and say so.
"""

from __future__ import annotations

import json
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import httpx
import pytest

from .fixture_server import (
    ATOM_CONTENT_TYPE,
    FIXTURES,
    FixtureServer,
    derive_atom,
    rss_items_from_fixture,
)

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
API = FIXTURES / "arxiv-api"


def recorded(pattern: str) -> bytes:
    (path,) = sorted(API.glob(pattern))
    return path.read_bytes()


def api_get(server: FixtureServer, **params: object) -> httpx.Response:
    query = {"search_query": "", "id_list": "", "sortBy": "relevance", "sortOrder": "descending", **params}
    return httpx.get(f"{server.url}/api/query", params=query, timeout=10)


def entry_ids(body: bytes) -> list[str]:
    return [entry.findtext(f"{ATOM}id") for entry in ET.fromstring(body).findall(f"{ATOM}entry")]


# --- arXiv API ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("id_list", "pattern"),
    [
        ("1605.08386", "id_1605.08386_s0_m100_*.xml"),
        ("2104.12255v1", "id_2104.12255v1_s0_m100_*.xml"),
        ("astro-ph/0601001", "id_astro-ph_0601001_s0_m100_*.xml"),
        ("0808.05394,1707.08567", "id_0808.05394_1707.08567_s0_m100_*.xml"),
        ("0000.0000", "id_0000.0000_s0_m100_*.xml"),
    ],
)
def test_api_id_list_returns_the_recorded_body_byte_for_byte(fixture_server, id_list, pattern):
    response = api_get(fixture_server, id_list=id_list, start=0, max_results=100)
    assert response.status_code == 200
    assert response.headers["content-type"] == ATOM_CONTENT_TYPE
    assert response.content == recorded(pattern)


def test_api_recorded_error_status_is_kept(fixture_server):
    response = api_get(fixture_server, id_list="abc", start=0, max_results=100)
    assert response.status_code == 400
    assert response.content == recorded("id_abc_s0_m100_*.xml")


@pytest.mark.parametrize(("start", "size"), [(0, 10), (5, 10), (10, 10), (50, 10), (0, 15), (9, 15), (0, 100)])
def test_api_paging_parameters_map_to_the_recorded_file(fixture_server, start, size):
    response = api_get(fixture_server, search_query="testing", start=start, max_results=size)
    assert response.status_code == 200
    assert response.content == recorded(f"q_testing_s{start}_m{size}_*.xml")
    root = ET.fromstring(response.content)
    assert root.findtext(f"{OPENSEARCH}startIndex") == str(start)
    assert len(root.findall(f"{ATOM}entry")) == size


def test_api_sort_parameters_are_ignored_and_unrecorded_requests_are_404(fixture_server):
    plain = httpx.get(f"{fixture_server.url}/api/query", params={"search_query": "testing", "id_list": "", "start": 10, "max_results": 10})
    assert plain.content == recorded("q_testing_s10_m10_*.xml")
    for params in (
        {"search_query": "testing", "start": 60, "max_results": 10},  # never recorded
        {"search_query": "testing", "max_results": 10},  # start missing counts as ""
        {"id_list": "1605.08386"},
    ):
        response = api_get(fixture_server, **params)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/plain")
        assert b"no recorded arXiv API response" in response.content


def test_derived_short_last_page(fixture_server):
    source = recorded("q_testing_s50_m10_*.xml")
    body = derive_atom(source, slice(0, 4), total_results=64, start_index=60, items_per_page=10)
    fixture_server.add_api_response({"search_query": "testing", "id_list": "", "start": "60", "max_results": "10"}, body)

    response = api_get(fixture_server, search_query="testing", start=60, max_results=10)
    assert response.status_code == 200
    assert response.content == body
    assert b"DERIVED" in response.content
    root = ET.fromstring(response.content)
    assert len(root.findall(f"{ATOM}entry")) == 4
    assert root.findtext(f"{OPENSEARCH}totalResults") == "64"
    assert root.findtext(f"{OPENSEARCH}startIndex") == "60"
    assert root.findtext(f"{OPENSEARCH}itemsPerPage") == "10"
    assert entry_ids(response.content) == entry_ids(source)[:4]
    assert response.content.count(b"<opensearch:totalResults>") == 1  # prefixes kept
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo
    assert len(parsed.entries) == 4
    assert parsed.feed.opensearch_totalresults == "64"
    # the recorded page itself is still served unchanged, and reset() forgets the derived one
    assert api_get(fixture_server, search_query="testing", start=50, max_results=10).content == source
    fixture_server.reset()
    assert api_get(fixture_server, search_query="testing", start=60, max_results=10).status_code == 404


# --- OAI-PMH -----------------------------------------------------------------------------------


def oai_get(server: FixtureServer, timeout: float = 10, **params: str) -> ET.Element:
    response = httpx.get(f"{server.url}/oai", params=params, timeout=timeout)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    return ET.fromstring(response.content)


def harvest(server: FixtureServer, first: dict[str, str]) -> tuple[list[ET.Element], list[ET.Element]]:
    """Walk a ListRecords harvest token by token: (records, pages)."""
    pages = [oai_get(server, verb="ListRecords", **first)]
    while True:
        token = pages[-1].find(f"{OAI}ListRecords/{OAI}resumptionToken")
        if token is None or not (token.text or "").strip():
            break
        pages.append(oai_get(server, verb="ListRecords", resumptionToken=token.text))
        assert len(pages) < 1000
    records = [record for page in pages for record in page.findall(f"{OAI}ListRecords/{OAI}record")]
    return records, pages


def identifier(record: ET.Element) -> str:
    return record.findtext(f"{OAI}header/{OAI}identifier").removeprefix("oai:arXiv.org:")


def test_oai_dc_harvest_walks_every_page_to_the_empty_token(fixture_server):
    expected = fixture_server.oai_identifiers()
    assert len(expected) == len(set(expected)) == 1000

    first = {"metadataPrefix": "oai_dc", "set": "physics:quant-ph", "from": "2007-01-01", "until": "2024-10-25"}
    records, pages = harvest(fixture_server, first)

    assert [identifier(record) for record in records] == expected
    assert len(pages) == 10
    request = pages[0].find(f"{OAI}request")
    assert request.attrib == {"verb": "ListRecords", **first}
    assert request.text == f"{fixture_server.url}/oai"
    assert pages[0].findtext(f"{OAI}responseDate")
    for number, page in enumerate(pages):
        token = page.find(f"{OAI}ListRecords/{OAI}resumptionToken")
        assert token is not None
        assert token.get("cursor") == str(number * 100)
        assert token.get("completeListSize") == "1000"
        if number < 9:
            assert token.text.startswith(f"page-{number + 1}-")
            assert len(page.findall(f"{OAI}ListRecords/{OAI}record")) == 100
        else:
            assert token.text is None  # present and empty on the last page
    later = [entry[3] for entry in fixture_server.requests[1:]]
    assert all(set(query) == {"verb", "resumptionToken"} for query in later)
    assert all(page.find(f"{OAI}request").attrib.keys() == {"verb", "resumptionToken"} for page in pages[1:])


def test_arxiv_format_harvest_has_the_derived_deleted_record(fixture_server):
    fixture_server.oai_page_size = 10
    expected = fixture_server.oai_identifiers("arXiv")
    assert len(expected) == len(set(expected)) == 53
    assert fixture_server.oai_deleted_id in expected
    assert fixture_server.oai_deleted_id not in fixture_server.oai_identifiers("arXiv", include_deleted=False)

    records, pages = harvest(fixture_server, {"metadataPrefix": "arXiv"})

    assert [identifier(record) for record in records] == expected
    assert len(pages) == 6
    deleted = [record for record in records if record.find(f"{OAI}header").get("status") == "deleted"]
    assert [identifier(record) for record in deleted] == [fixture_server.oai_deleted_id]
    assert deleted[0].find(f"{OAI}metadata") is None
    live = [record for record in records if record not in deleted]
    assert all(record.find(f"{OAI}metadata/{{http://arxiv.org/OAI/arXiv/}}arXiv") is not None for record in live)


def test_expired_or_unknown_token_is_bad_resumption_token(fixture_server):
    fixture_server.oai_page_size = 10
    page = oai_get(fixture_server, verb="ListRecords", metadataPrefix="oai_dc")
    token = page.findtext(f"{OAI}ListRecords/{OAI}resumptionToken")
    again = oai_get(fixture_server, verb="ListRecords", resumptionToken=token)  # tokens can be reused
    assert again.find(f"{OAI}ListRecords") is not None

    fixture_server.expire_tokens()
    expired = oai_get(fixture_server, verb="ListRecords", resumptionToken=token)
    assert expired.find(f"{OAI}error").get("code") == "badResumptionToken"
    assert expired.find(f"{OAI}ListRecords") is None
    unknown = oai_get(fixture_server, verb="ListRecords", resumptionToken="page-3-nosuchharvest")
    assert unknown.find(f"{OAI}error").get("code") == "badResumptionToken"


def test_no_records_match_and_argument_errors(fixture_server):
    late = oai_get(fixture_server, verb="ListRecords", metadataPrefix="oai_dc", set="cs", **{"from": "2031-01-01"})
    assert late.find(f"{OAI}error").get("code") == "noRecordsMatch"
    assert late.find(f"{OAI}request").get("from") == "2031-01-01"
    assert late.find(f"{OAI}ListRecords") is None
    exclusive = oai_get(fixture_server, verb="ListRecords", metadataPrefix="oai_dc", resumptionToken="x")
    assert exclusive.find(f"{OAI}error").get("code") == "badArgument"
    assert oai_get(fixture_server, verb="ListRecords", metadataPrefix="marc").find(f"{OAI}error").get("code") == "cannotDisseminateFormat"
    assert oai_get(fixture_server, verb="Nonsense").find(f"{OAI}error").get("code") == "badVerb"


def test_oai_stall_after_pages_hangs_that_page_until_reset(fixture_server):
    fixture_server.oai_page_size = 100
    fixture_server.oai_stall_after_pages = 2
    page = oai_get(fixture_server, verb="ListRecords", metadataPrefix="oai_dc")
    page = oai_get(fixture_server, verb="ListRecords", resumptionToken=page.findtext(f"{OAI}ListRecords/{OAI}resumptionToken"))
    token = page.findtext(f"{OAI}ListRecords/{OAI}resumptionToken")
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{fixture_server.url}/oai", params={"verb": "ListRecords", "resumptionToken": token}, timeout=0.5)

    outcome: list[object] = []

    def client() -> None:
        try:
            httpx.get(f"{fixture_server.url}/oai", params={"verb": "ListRecords", "resumptionToken": token}, timeout=30)
        except httpx.HTTPError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=client)
    thread.start()
    time.sleep(0.3)
    fixture_server.reset()  # wakes the hanging request: the connection is closed unanswered
    thread.join(timeout=30)  # the client's own timeout (30 s) has not run out: reset() ended it
    assert not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], httpx.RemoteProtocolError)


# --- arXiv RSS (constructed bodies) ------------------------------------------------------------


def test_rss_body_parses_and_carries_announce_types_and_skip_days(fixture_server):
    kinds = ["new", "cross", "replace", "replace-cross"]
    items = rss_items_from_fixture(8, kinds)
    fixture_server.set_rss("cs.LG+cs.CL", items, "2024-10-25")

    response = httpx.get(f"{fixture_server.url}/rss/cs.LG+cs.CL", timeout=10)
    assert response.status_code == 200
    assert b"CONSTRUCTED" in response.content and b"REAL papers" in response.content
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo
    assert parsed.feed.title == "cs.LG+cs.CL updates on arXiv.org"
    assert [entry.arxiv_announce_type for entry in parsed.entries] == kinds * 2
    atom = ET.fromstring(API.joinpath("q_testing_s0_m100_cfe7536492ca.xml").read_bytes())
    first = atom.find(f"{ATOM}entry")
    versioned = first.findtext(f"{ATOM}id").rsplit("/", 1)[1]
    entry = parsed.entries[0]
    assert entry.id == f"oai:arXiv.org:{versioned}"
    assert entry.link == f"https://arxiv.org/abs/{items[0]['id']}"
    assert entry.title == " ".join(first.findtext(f"{ATOM}title").split())
    assert entry.summary.startswith(f"arXiv:{versioned} Announce Type: new \nAbstract: ")
    assert entry.summary.endswith(first.findtext(f"{ATOM}summary").strip())
    assert entry.author == ", ".join(a.findtext(f"{ATOM}name") for a in first.findall(f"{ATOM}author"))
    assert [tag.term for tag in entry.tags] == items[0]["categories"]
    assert entry.rights.startswith("http://arxiv.org/licenses/")
    assert parsed.feed.published == "Fri, 25 Oct 2024 00:00:00 -0400"

    channel = ET.fromstring(response.content).find("channel")
    assert [day.text for day in channel.findall("skipDays/day")] == ["Saturday", "Sunday"]
    assert channel.findtext("lastBuildDate") == "Fri, 25 Oct 2024 04:00:11 +0000"
    # the same feed when the client percent-encodes the '+'
    assert httpx.get(f"{fixture_server.url}/rss/cs.LG%2Bcs.CL", timeout=10).content == response.content


def test_rss_empty_day_and_unconfigured_categories(fixture_server):
    fixture_server.set_rss_empty("cs.LG", "2024-10-26")
    response = httpx.get(f"{fixture_server.url}/rss/cs.LG", timeout=10)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo
    assert parsed.entries == []
    assert parsed.feed.title == "cs.LG updates on arXiv.org"
    channel = ET.fromstring(response.content).find("channel")
    assert channel.findtext("pubDate") == "Sat, 26 Oct 2024 00:00:00 -0400"
    assert channel.find("item") is None
    assert httpx.get(f"{fixture_server.url}/rss/cs.CV", timeout=10).status_code == 404


# --- Hugging Face ------------------------------------------------------------------------------


def test_hf_day_paging_and_days_without_papers(fixture_server):
    url = f"{fixture_server.url}/api/daily_papers"
    raw = FIXTURES.joinpath("hf", "daily_papers_2024-10-25.json").read_bytes()
    whole = httpx.get(url, params={"date": "2024-10-25"}, timeout=10)
    assert whole.status_code == 200
    assert whole.headers["content-type"].startswith("application/json")
    assert whole.content == raw
    assert httpx.get(url, params={"date": "2024-10-25", "p": 0, "limit": 100}, timeout=10).content == raw

    pages = [httpx.get(url, params={"date": "2024-10-25", "p": p, "limit": 10}, timeout=10).json() for p in range(4)]
    assert [len(page) for page in pages] == [10, 10, 9, 0]
    assert [item for page in pages for item in page] == json.loads(raw)

    assert httpx.get(url, params={"date": "2024-10-26"}, timeout=10).json() == []
    derived = json.dumps(json.loads(raw)[:3]).encode()
    fixture_server.add_hf_day("2024-10-24", derived)
    assert httpx.get(url, params={"date": "2024-10-24", "p": 0, "limit": 100}, timeout=10).content == derived
    assert len(httpx.get(url, params={"week": "2024-W43", "p": 0, "limit": 100}, timeout=10).json()) == 32


# --- failure scenarios -------------------------------------------------------------------------


def test_fail_next_is_a_scripted_queue(fixture_server):
    fixture_server.fail_next(503, retry_after="2", times=2)
    fixture_server.fail_next(429)
    url = f"{fixture_server.url}/api/daily_papers"
    answers = [httpx.get(url, params={"date": "2024-10-25"}, timeout=10) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [503, 503, 429, 200]
    assert [answer.headers.get("retry-after") for answer in answers[:3]] == ["2", "2", None]
    assert len(answers[3].json()) == 29
    assert len(fixture_server.requests) == 4


def test_truncate_next_closes_mid_body(fixture_server):
    fixture_server.truncate_next()
    with pytest.raises(httpx.RemoteProtocolError):
        api_get(fixture_server, search_query="testing", start=0, max_results=100)
    response = api_get(fixture_server, search_query="testing", start=0, max_results=100)
    assert response.content == recorded("q_testing_s0_m100_*.xml")


def test_stall_next_triggers_a_read_timeout(fixture_server):
    # Longer than the whole test may take: an answer after the stall would be a 200, not a
    # timeout. The fixture's reset wakes the stalled handler at the end.
    fixture_server.stall_next(120)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{fixture_server.url}/api/daily_papers", params={"date": "2024-10-25"}, timeout=0.3)
    assert httpx.get(f"{fixture_server.url}/api/daily_papers", params={"date": "2024-10-25"}, timeout=10).status_code == 200


def test_malformed_next_serves_the_given_bytes(fixture_server):
    fixture_server.malformed_next(b"<feed><entry><title>cut", times=1)
    fixture_server.malformed_next(b'[{"paper": ', times=1)
    atom = api_get(fixture_server, id_list="1605.08386", start=0, max_results=100)
    assert (atom.status_code, atom.content) == (200, b"<feed><entry><title>cut")
    assert atom.headers["content-type"] == ATOM_CONTENT_TYPE
    hf = httpx.get(f"{fixture_server.url}/api/daily_papers", params={"date": "2024-10-25"}, timeout=10)
    assert (hf.status_code, hf.content) == (200, b'[{"paper": ')
    assert api_get(fixture_server, id_list="1605.08386", start=0, max_results=100).content == recorded("id_1605.08386_*.xml")


def test_request_log(fixture_server):
    before = time.time()
    api_get(fixture_server, id_list="1605.08386", start=0, max_results=100)
    httpx.get(f"{fixture_server.url}/rss/cs.LG", timeout=10)
    (first, second) = fixture_server.requests
    assert before <= first[0] <= second[0] <= time.time()
    assert first[1:] == (
        "GET",
        "/api/query",
        {"search_query": "", "id_list": "1605.08386", "sortBy": "relevance", "sortOrder": "descending", "start": "0", "max_results": "100"},
    )
    assert second[1:3] == ("GET", "/rss/cs.LG")
    fixture_server.reset()
    assert fixture_server.requests == []


# --- lifecycle ---------------------------------------------------------------------------------


def test_missing_fixtures_fail_loudly(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="missing|no recorded"):
        FixtureServer(fixtures=tmp_path)


def test_stop_does_not_wait_for_stalled_requests():
    server = FixtureServer().start()
    url = server.url
    server.stall_next(60)
    outcome: list[object] = []

    def client() -> None:
        try:
            outcome.append(httpx.get(f"{url}/api/daily_papers", params={"date": "2024-10-25"}, timeout=30))
        except httpx.HTTPError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=client)
    thread.start()
    time.sleep(0.3)
    server.stop()  # returns without waiting out the 60 s stall: the client hears of it at once
    thread.join(timeout=30)  # well before both the stall and the client's timeout would end
    assert not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], httpx.RemoteProtocolError)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/api/daily_papers", timeout=1)
