"""`paperfeed ingest arxiv-api` as a real child process against the loopback arXiv (fixture_server).

The API bodies are the RECORDED ones in ../shared/fixtures/arxiv-api. Where a test needs an
exchange that was not recorded (several ids in one id_list, a query with a short last page), the
body is DERIVED in the test from recorded bodies (entries kept or combined, opensearch counts
adjusted) and says so. Pacing, retries and the User-Agent are checked from what the server saw.
"""

from __future__ import annotations

import re
import subprocess
import xml.dom.minidom
import xml.etree.ElementTree as ET

import pytest

from tests.helpers import PAPERFEED, cli_env, run_cli

from .fixture_server import FIXTURES, derive_atom

API = FIXTURES / "arxiv-api"
ATOM = "{http://www.w3.org/2005/Atom}"
ATOM_NS = "http://www.w3.org/2005/Atom"
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"
INTERVAL = 0.3
# Pacing is checked on the pacer's own clock, not on gaps between arrivals: an arrival comes
# some connect time after the request's start, and on a busy machine that time varies by more
# than any tolerance worth having. At debug level the pacer logs the start of every request
# (paperfeed/sources/http.py); the fixture server logs arrivals on the same clock (time.time()).
PACER_LOG = {"PAPERFEED_LOG_LEVEL": "DEBUG"}
PACER_START = re.compile(r"^pacer \.pacing-arxiv: request started at (\d+\.\d+)$", re.MULTILINE)
CLOCK_TOLERANCE = 0.001  # the logged starts and the state file are rounded to microseconds

FOUR_IDS = ["1707.08567", "astro-ph/0601001", "quant-ph/0201082v1", "2104.12255v1"]


def recorded(pattern: str) -> bytes:
    (path,) = sorted(API.glob(pattern))
    return path.read_bytes()


def combine_atom(bodies: list[bytes]) -> bytes:
    """A DERIVED Atom body: the first recorded body with the entries of the others appended.

    arXiv answers one id_list request with one feed holding every paper found; only single-id
    answers were recorded for these ids, so their entries are combined here (real XML, the
    entries copied unchanged) and opensearch:totalResults set to the number of entries.
    """
    document = xml.dom.minidom.parseString(bodies[0])
    feed = document.documentElement
    for body in bodies[1:]:
        other = xml.dom.minidom.parseString(body)
        for entry in other.documentElement.getElementsByTagNameNS(ATOM_NS, "entry"):
            feed.appendChild(document.importNode(entry, True))
    total = len(feed.getElementsByTagNameNS(ATOM_NS, "entry"))
    element = feed.getElementsByTagNameNS(OPENSEARCH_NS, "totalResults")[0]
    element.firstChild.data = str(total)
    document.insertBefore(document.createComment(" DERIVED in test_ingest_arxiv_api.py: recorded entries combined "), feed)
    return document.toxml(encoding="utf-8")


def _entry_ids(body: bytes) -> list[str]:
    """The version-less arXiv ids of the entries of an Atom body, in order."""
    ids = []
    for entry in ET.fromstring(body).findall(f"{ATOM}entry"):
        url = entry.findtext(f"{ATOM}id").strip()
        ids.append(url.split("/abs/", 1)[1].rsplit("v", 1)[0])
    return ids


def id_params(id_list: str) -> dict:
    return {"search_query": "", "id_list": id_list, "start": 0, "max_results": 100}


def api_requests(server) -> list[dict]:
    return [query for _, _, _, query in server.requests_to("/api/query")]


def pacer_starts(*stderrs: str) -> list[float]:
    """The request starts the pacers of one or more runs logged, in order."""
    return sorted(float(t) for stderr in stderrs for t in PACER_START.findall(stderr))


def assert_paced(server, stderrs: list[str], interval: float = INTERVAL) -> None:
    """Each request the server saw was let go by a pacer turn, the turns began at least
    `interval` apart, and each request arrived after its turn began and before the next one
    did (the turn holds the lock until its response is read): arXiv saw them paced."""
    starts = pacer_starts(*stderrs)
    arrivals = sorted(t for t, _, _, _ in server.requests)
    assert len(starts) == len(arrivals) > 1, (starts, arrivals)
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= interval - CLOCK_TOLERANCE, gaps
    for start, arrival, next_start in zip(starts, arrivals, [*starts[1:], float("inf")]):
        assert start - CLOCK_TOLERANCE <= arrival <= next_start + CLOCK_TOLERANCE, (starts, arrivals)


def paper_dump(child_db, data_dir) -> list[tuple]:
    """Every paper with its versions, authors and categories, for comparing two states."""
    papers = child_db(
        data_dir,
        "SELECT p.arxiv_id, p.title, p.abstract, p.authors_text, p.num_authors, c.code, p.published, p.updated,"
        " p.latest_version, p.comments, p.journal_ref, p.doi, p.withdrawn, p.modified_at"
        " FROM papers_paper p LEFT JOIN papers_category c ON c.id = p.primary_category_id ORDER BY p.arxiv_id",
    )
    versions = child_db(
        data_dir,
        "SELECT p.arxiv_id, v.number, v.created, v.size FROM papers_paperversion v"
        " JOIN papers_paper p ON p.id = v.paper_id ORDER BY p.arxiv_id, v.number",
    )
    authors = child_db(
        data_dir,
        "SELECT p.arxiv_id, pa.position, a.name FROM papers_paperauthor pa JOIN papers_paper p ON p.id = pa.paper_id"
        " JOIN papers_author a ON a.id = pa.author_id ORDER BY p.arxiv_id, pa.position",
    )
    categories = child_db(
        data_dir,
        "SELECT p.arxiv_id, c.code FROM papers_papercategory pc JOIN papers_paper p ON p.id = pc.paper_id"
        " JOIN papers_category c ON c.id = pc.category_id ORDER BY p.arxiv_id, c.code",
    )
    return [papers, versions, authors, categories]


def last_run(child_db, data_dir) -> tuple:
    (row,) = child_db(
        data_dir,
        "SELECT source, status, new, updated, unchanged, requests, message FROM sources_ingestrun ORDER BY id DESC LIMIT 1",
    )
    return row


# --- --ids -------------------------------------------------------------------------------------


def test_ids_store_exactly_those_papers_and_a_rerun_changes_nothing(fixture_server, ingest_env, child_db, data_dir):
    bodies = [
        recorded("id_1707.08567_s0_m100_*.xml"),
        recorded("id_astro-ph_0601001_s0_m100_*.xml"),
        recorded("id_quant-ph_0201082v1_s0_m100_*.xml"),
        recorded("id_2104.12255v1_s0_m100_*.xml"),
    ]
    fixture_server.add_api_response(id_params(",".join(FOUR_IDS)), combine_atom(bodies))

    result = run_cli(data_dir, "ingest", "arxiv-api", "--ids", ",".join(FOUR_IDS), **ingest_env)
    assert result.returncode == 0, result.stderr
    assert "arxiv-api: 4 new, 0 updated, 0 unchanged, 0 quarantined, 0 deleted, 0 newly listed" in result.stdout
    assert "not found" not in result.stdout
    # One request, exactly the id_list chunk the client is documented to send.
    assert api_requests(fixture_server) == [
        {"search_query": "", "id_list": ",".join(FOUR_IDS), "start": "0", "max_results": "100"}
    ]

    papers = {row[0]: row for row in child_db(
        data_dir,
        "SELECT p.arxiv_id, p.title, p.latest_version, p.num_authors, c.code, p.published, p.journal_ref, p.comments"
        " FROM papers_paper p LEFT JOIN papers_category c ON c.id = p.primary_category_id",
    )}
    assert sorted(papers) == sorted(["1707.08567", "astro-ph/0601001", "quant-ph/0201082", "2104.12255"])
    assert papers["1707.08567"][1:5] == (
        "Proceedings of Workshop AEW10: Concepts in Information Theory and Communications", 1, 34, "cs.IT")
    assert papers["astro-ph/0601001"][1:5] == (
        "Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III Transit Surveys Toward the Galactic "
        "Bulge and Carina", 1, 4, "astro-ph")
    assert papers["astro-ph/0601001"][6] == "ActaAstron.56:1-50,2006"
    assert papers["quant-ph/0201082"][1:5] == (
        "Quantum Computers and Quantum Computer Languages: Quantum Assembly Language and Quantum C Language",
        1, 1, "quant-ph")
    assert papers["quant-ph/0201082"][7] == "32 pages"
    assert papers["2104.12255"][1:5] == ("0", 1, 1, "cs.CR")  # a real paper titled "0"
    assert papers["2104.12255"][5].startswith("2021-04-20 16:07:14")

    authors = child_db(
        data_dir,
        "SELECT p.arxiv_id, pa.position, a.name FROM papers_paperauthor pa JOIN papers_paper p ON p.id = pa.paper_id"
        " JOIN papers_author a ON a.id = pa.author_id ORDER BY p.arxiv_id, pa.position",
    )
    by_paper: dict[str, list[str]] = {}
    for arxiv_id, _, name in authors:
        by_paper.setdefault(arxiv_id, []).append(name)
    assert by_paper["astro-ph/0601001"] == ["Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski"]
    assert by_paper["quant-ph/0201082"] == ["Stephen Blaha"]
    assert by_paper["2104.12255"] == ["Quan Thoi Minh Nguyen"]
    assert len(by_paper["1707.08567"]) == 34
    assert by_paper["1707.08567"][0] == "Kees A. Schouhamer Immink"
    assert by_paper["1707.08567"][32] == "Dirk Wübben"  # the recorded "WÃ¼bben" repaired
    versions = child_db(
        data_dir,
        "SELECT p.arxiv_id, v.number FROM papers_paperversion v JOIN papers_paper p ON p.id = v.paper_id"
        " ORDER BY p.arxiv_id, v.number",
    )
    assert versions == [("1707.08567", 1), ("2104.12255", 1), ("astro-ph/0601001", 1), ("quant-ph/0201082", 1)]
    categories = child_db(
        data_dir,
        "SELECT c.code FROM papers_papercategory pc JOIN papers_paper p ON p.id = pc.paper_id"
        " JOIN papers_category c ON c.id = pc.category_id WHERE p.arxiv_id = 'quant-ph/0201082' ORDER BY c.code",
    )
    assert categories == [("cs.PL",), ("quant-ph",)]
    assert last_run(child_db, data_dir)[:6] == ("arxiv-api", "ok", 4, 0, 0, 1)

    before = paper_dump(child_db, data_dir)
    again = run_cli(data_dir, "ingest", "arxiv-api", "--ids", ",".join(FOUR_IDS), **ingest_env)
    assert again.returncode == 0, again.stderr
    assert "arxiv-api: 0 new, 0 updated, 4 unchanged, 0 quarantined, 0 deleted, 0 newly listed" in again.stdout
    assert paper_dump(child_db, data_dir) == before  # not even modified_at moved
    assert last_run(child_db, data_dir)[:6] == ("arxiv-api", "ok", 0, 0, 4, 1)


def test_id_arxiv_does_not_know_is_reported_as_not_found(fixture_server, ingest_env, child_db, data_dir):
    # arXiv answers an id_list naming an unknown paper with the papers it knows (the recorded
    # "0808.05394,1707.08567" exchange holds only 1707.08567). 2501.99999 is well-formed and
    # unknown; its answer is DERIVED from the recorded single-id body of 1707.08567.
    fixture_server.add_api_response(
        id_params("1707.08567,2501.99999"), derive_atom(recorded("id_1707.08567_s0_m100_*.xml"), slice(0, 1), 1, 0, 100)
    )
    result = run_cli(data_dir, "ingest", "arxiv-api", "--ids", "1707.08567, 2501.99999", **ingest_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("; not found on arXiv: 2501.99999")
    assert "1 new, 0 updated, 0 unchanged" in result.stdout
    assert child_db(data_dir, "SELECT arxiv_id FROM papers_paper") == [("1707.08567",)]


def test_unknown_id_alone_is_reported_as_not_found(fixture_server, ingest_env, child_db, data_dir):
    # 2501.99999 alone: arXiv's answer for an unknown id is the empty feed recorded for
    # id_list=0000.0000 (DERIVED: the same body, registered for this id).
    fixture_server.add_api_response(id_params("2501.99999"), recorded("id_0000.0000_s0_m100_*.xml"))
    result = run_cli(data_dir, "ingest", "arxiv-api", "--ids", "2501.99999", **ingest_env)
    assert result.returncode == 0, result.stderr
    assert "0 new, 0 updated, 0 unchanged" in result.stdout
    assert result.stdout.strip().endswith("not found on arXiv: 2501.99999")
    assert child_db(data_dir, "SELECT count(*) FROM papers_paper") == [(0,)]


def test_more_than_100_ids_go_in_chunks_of_100(fixture_server, ingest_env, child_db, data_dir):
    testing = recorded("q_testing_s0_m100_*.xml")
    hundred = _entry_ids(testing)
    assert len(set(hundred)) == 100
    # DERIVED: the recorded query body holds exactly these 100 papers; served as their id_list answer.
    fixture_server.add_api_response(id_params(",".join(hundred)), derive_atom(testing, slice(0, 100), 100, 0, 100))
    ids = [*hundred, "astro-ph/0601001"]  # the 101st: its chunk of one is the RECORDED request

    result = run_cli(data_dir, "ingest", "arxiv-api", "--ids", ",".join(ids), **ingest_env)
    assert result.returncode == 0, result.stderr
    assert "arxiv-api: 101 new, 0 updated, 0 unchanged" in result.stdout
    assert api_requests(fixture_server) == [
        {"search_query": "", "id_list": ",".join(hundred), "start": "0", "max_results": "100"},
        {"search_query": "", "id_list": "astro-ph/0601001", "start": "0", "max_results": "100"},
    ]
    stored = sorted(arxiv_id for (arxiv_id,) in child_db(data_dir, "SELECT arxiv_id FROM papers_paper"))
    assert stored == sorted(ids)


@pytest.mark.parametrize("bad", ["abc", "1707.08567,2413.00001"])
def test_malformed_id_is_a_usage_error_exit_2_without_any_request(fixture_server, ingest_env, data_dir, bad):
    result = run_cli(data_dir, "ingest", "arxiv-api", "--ids", bad, **ingest_env)
    assert fixture_server.requests == []
    assert "not an arXiv identifier" in result.stderr
    # The command's own contract: 1 = the source failed, 2 = bad arguments.
    assert "the source failed" not in result.stderr
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)


# --- --query with paging -------------------------------------------------------------------------


def test_query_pages_through_the_recorded_testing_pages(fixture_server, ingest_env, child_db, data_dir):
    expected: list[str] = []
    for start in range(0, 60, 10):
        expected += _entry_ids(recorded(f"q_testing_s{start}_m10_*.xml"))
    assert len(expected) == 60

    result = run_cli(
        data_dir, "ingest", "arxiv-api", "--query", "testing", "--page-size", "10", "--limit", "60", **ingest_env, **PACER_LOG
    )
    assert result.returncode == 0, result.stderr
    assert "arxiv-api: 60 new, 0 updated, 0 unchanged" in result.stdout
    assert result.stdout.strip().endswith("60 results read")

    sent = api_requests(fixture_server)
    assert [(q["search_query"], q["id_list"], q["start"], q["max_results"]) for q in sent] == [
        ("testing", "", str(start), "10") for start in range(0, 60, 10)
    ]
    assert {(q["sortBy"], q["sortOrder"]) for q in sent} == {("submittedDate", "descending")}
    stored = sorted(arxiv_id for (arxiv_id,) in child_db(data_dir, "SELECT arxiv_id FROM papers_paper"))
    assert stored == sorted(set(expected))
    assert len(stored) == 60
    # Pacing inside one process: never closer than the interval.
    assert_paced(fixture_server, [result.stderr])


def test_query_stops_after_a_short_last_page(fixture_server, ingest_env, child_db, data_dir):
    # DERIVED pages of a query "short": the recorded testing pages at 0 and 10 (10 entries each)
    # and the first 5 entries of the page at 20, with totalResults=25.
    pages = {
        0: derive_atom(recorded("q_testing_s0_m10_*.xml"), slice(0, 10), 25, 0, 10),
        10: derive_atom(recorded("q_testing_s10_m10_*.xml"), slice(0, 10), 25, 10, 10),
        20: derive_atom(recorded("q_testing_s20_m10_*.xml"), slice(0, 5), 25, 20, 10),
    }
    expected = []
    for start, body in pages.items():
        fixture_server.add_api_response({"search_query": "short", "id_list": "", "start": start, "max_results": 10}, body)
        expected += _entry_ids(body)
    assert len(set(expected)) == 25

    result = run_cli(data_dir, "ingest", "arxiv-api", "--query", "short", "--page-size", "10", **ingest_env)
    assert result.returncode == 0, result.stderr
    assert "arxiv-api: 25 new, 0 updated, 0 unchanged" in result.stdout
    assert result.stdout.strip().endswith("25 results read")
    assert [q["start"] for q in api_requests(fixture_server)] == ["0", "10", "20"]  # nothing beyond start=20
    stored = sorted(arxiv_id for (arxiv_id,) in child_db(data_dir, "SELECT arxiv_id FROM papers_paper"))
    assert stored == sorted(expected)


def test_query_short_page_stops_even_when_total_results_says_more(fixture_server, ingest_env, child_db, data_dir):
    # DERIVED: page 0 full, page 10 holding 3 entries, totalResults claiming 214,881 (as recorded).
    fixture_server.add_api_response(
        {"search_query": "few", "id_list": "", "start": 0, "max_results": 10},
        derive_atom(recorded("q_testing_s0_m10_*.xml"), slice(0, 10), 214881, 0, 10),
    )
    fixture_server.add_api_response(
        {"search_query": "few", "id_list": "", "start": 10, "max_results": 10},
        derive_atom(recorded("q_testing_s10_m10_*.xml"), slice(0, 3), 214881, 10, 10),
    )
    result = run_cli(data_dir, "ingest", "arxiv-api", "--query", "few", "--page-size", "10", **ingest_env)
    assert result.returncode == 0, result.stderr
    assert [q["start"] for q in api_requests(fixture_server)] == ["0", "10"]
    assert child_db(data_dir, "SELECT count(*) FROM papers_paper") == [(13,)]


# --- pacing across processes ---------------------------------------------------------------------


def test_two_processes_sharing_a_data_dir_keep_the_interval_between_all_requests(
    fixture_server, ingest_env, child_db, data_dir
):
    # data_dir holds a migrated database, so the two runs race only for arXiv, not for migrations.
    env = cli_env(data_dir, **ingest_env, **PACER_LOG)
    args = [*PAPERFEED, "ingest", "arxiv-api", "--query", "testing", "--page-size", "10"]
    first = subprocess.Popen([*args, "--limit", "30"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen([*args, "--limit", "20"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outputs = [p.communicate(timeout=60) for p in (first, second)]
    assert (first.returncode, second.returncode) == (0, 0), outputs

    requests = fixture_server.requests_to("/api/query")
    assert len(requests) == 5
    assert sorted(q["start"] for _, _, _, q in requests) == ["0", "0", "10", "10", "20"]
    assert_paced(fixture_server, [stderr for _, stderr in outputs])
    assert child_db(data_dir, "SELECT count(*) FROM papers_paper") == [(30,)]


def test_processes_started_together_on_a_fresh_data_dir_all_succeed(fixture_server, ingest_env, child_db, tmp_path):
    # The first run of a new installation (or the first after an upgrade with new migrations):
    # cron ingests and a manual one start together and all bring the schema up to date.
    data_dir = tmp_path / "fresh"
    env = cli_env(data_dir, **ingest_env, **PACER_LOG)
    args = [*PAPERFEED, "ingest", "arxiv-api", "--query", "testing", "--page-size", "10", "--limit", "10"]
    runs = [subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [p.communicate(timeout=60) for p in runs]
    assert [p.returncode for p in runs] == [0, 0, 0], [err[-2000:] for _, err in outputs]
    assert len(fixture_server.requests_to("/api/query")) == 3
    assert_paced(fixture_server, [stderr for _, stderr in outputs])
    assert child_db(data_dir, "SELECT count(*) FROM papers_paper") == [(10,)]


# --- retries -------------------------------------------------------------------------------------


def test_503_with_retry_after_is_retried_after_that_long(fixture_server, ingest_env, child_db, data_dir):
    fixture_server.fail_next(503, retry_after="1")
    result = run_cli(data_dir, "ingest", "arxiv-api", "--ids", "1707.08567", **ingest_env)
    assert result.returncode == 0, result.stderr
    assert "1 new" in result.stdout
    requests = fixture_server.requests_to("/api/query")
    assert len(requests) == 2
    assert requests[0][3] == requests[1][3]  # the same request again
    # The server logged the first arrival before answering; the client slept 1 s after the answer.
    assert requests[1][0] - requests[0][0] >= 1.0
    assert last_run(child_db, data_dir)[:6] == ("arxiv-api", "ok", 1, 0, 0, 2)


def test_persistent_429_fails_the_run_after_the_configured_retries(fixture_server, ingest_env, child_db, data_dir):
    fixture_server.fail_next(429, times=10)
    result = run_cli(data_dir, "ingest", "arxiv-api", "--ids", "1707.08567", **{**ingest_env, "PAPERFEED_HTTP_RETRIES": "2"})
    assert result.returncode == 1
    assert "arxiv-api: the source failed:" in result.stderr
    assert "HTTP 429 after 3 attempts" in result.stderr
    assert len(fixture_server.requests_to("/api/query")) == 3
    source, status, new, _, _, requests, message = last_run(child_db, data_dir)
    assert (source, status, new, requests) == ("arxiv-api", "failed", 0, 3)
    assert "HTTP 429 after 3 attempts" in message
    assert child_db(data_dir, "SELECT count(*) FROM papers_paper") == [(0,)]


def test_truncated_body_is_retried(fixture_server, ingest_env, child_db, data_dir):
    fixture_server.truncate_next()
    result = run_cli(data_dir, "ingest", "arxiv-api", "--ids", "1707.08567", **ingest_env)
    assert result.returncode == 0, result.stderr
    assert len(fixture_server.requests_to("/api/query")) == 2
    assert child_db(data_dir, "SELECT arxiv_id, num_authors FROM papers_paper") == [("1707.08567", 34)]
    assert child_db(data_dir, "SELECT count(*) FROM sources_ingestproblem") == [(0,)]


def test_stalled_response_times_out_and_is_retried(fixture_server, ingest_env, child_db, data_dir):
    # A stall far longer than the run may take (the fixture's reset wakes it at the end): an
    # answer after it would have been a success at the first request.
    fixture_server.stall_next(120)
    result = run_cli(
        data_dir, "ingest", "arxiv-api", "--ids", "1707.08567", **{**ingest_env, "PAPERFEED_HTTP_TIMEOUT": "1"}, **PACER_LOG
    )
    assert result.returncode == 0, result.stderr
    requests = fixture_server.requests_to("/api/query")
    assert len(requests) == 2
    first, second = pacer_starts(result.stderr)
    assert second - first >= 1.0 - CLOCK_TOLERANCE  # retried after the 1 s read timeout...
    assert requests[1][0] - requests[0][0] < 60  # ...long before the stall would have ended
    assert child_db(data_dir, "SELECT arxiv_id FROM papers_paper") == [("1707.08567",)]


def test_retry_after_beyond_the_cap_fails_fast(fixture_server, ingest_env, child_db, data_dir):
    fixture_server.fail_next(503, retry_after="3600")
    # Waiting as asked would outlast run_cli's timeout (an error), long before the hour is up.
    result = run_cli(data_dir, "ingest", "arxiv-api", "--ids", "1707.08567", **ingest_env, timeout=120)
    assert result.returncode == 1
    assert "server asks to wait 3600 s (Retry-After); giving up this run" in result.stderr
    assert len(fixture_server.requests_to("/api/query")) == 1
    assert last_run(child_db, data_dir)[1] == "failed"


# --- User-Agent ----------------------------------------------------------------------------------


@pytest.fixture
def seen_user_agents(fixture_server):
    """The User-Agent of every request the fixture server receives during the test.

    fixture_server.py logs no headers; its HTTP server is given, for this test only, a request
    handler that subclasses its own and notes the header before handling the request as usual.
    """
    httpd = fixture_server._httpd
    original = httpd.RequestHandlerClass
    seen: list[str | None] = []

    class Recording(original):
        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.headers.get("User-Agent"))
            super().do_GET()

    httpd.RequestHandlerClass = Recording
    try:
        yield seen
    finally:
        httpd.RequestHandlerClass = original


def test_user_agent_names_paperfeed_and_the_contact(fixture_server, ingest_env, seen_user_agents, data_dir):
    env = {**ingest_env, "PAPERFEED_CONTACT_EMAIL": "ops@example.org", "PAPERFEED_BASE_URL": "https://papers.example.org"}
    result = run_cli(data_dir, "ingest", "arxiv-api", "--ids", "1707.08567", **env)
    assert result.returncode == 0, result.stderr
    assert len(seen_user_agents) == 1
    agent = seen_user_agents[0]
    assert agent.startswith("paperfeed/")
    assert agent.endswith(" (+https://papers.example.org; mailto:ops@example.org)")


def test_user_agent_without_contact_has_no_mailto(fixture_server, ingest_env, seen_user_agents, data_dir):
    result = run_cli(data_dir, "ingest", "arxiv-api", "--ids", "1707.08567", **ingest_env)
    assert result.returncode == 0, result.stderr
    assert len(seen_user_agents) == 1
    assert seen_user_agents[0].startswith("paperfeed/")
    assert "mailto:" not in seen_user_agents[0]
