"""An HTML page with status 200 where the arXiv API (or a mirror of it, PAPERFEED_ARXIV_API_URL)
should have sent an Atom feed: a broken answer, not "this paper does not exist". The same for
the OAI-PMH and RSS parsers.

In-process against the loopback fixture server; the pages are CONSTRUCTED in the test (what a
proxy or a mirror's error handler sends: well-formed XHTML, and HTML5 with a doctype).
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from paperfeed.papers.models import Paper
from paperfeed.sources.formats.arxiv_atom import parse_atom
from paperfeed.sources.formats.arxiv_rss import parse_rss
from paperfeed.sources.formats.oai import parse_oai
from paperfeed.sources.http import SourceError
from paperfeed.sources.models import IngestRun
from paperfeed.sources.single import fetch_paper

pytestmark = pytest.mark.django_db

ARXIV_ID = "2501.99998"  # no recorded answer: only the page below is served for it
PARAMS = {"search_query": "", "id_list": ARXIV_ID, "start": 0, "max_results": 100}
XHTML = "<html><head><title>Mirror</title></head><body><h1>Service temporarily unavailable</h1></body></html>"
HTML5 = "<!DOCTYPE html>\n<html lang=en><title>Error</title><p>Something went wrong<br></html>"


@pytest.fixture
def api(fixture_server, settings):
    settings.PAPERFEED_ARXIV_API_URL = f"{fixture_server.url}/api/query"
    settings.PAPERFEED_ARXIV_INTERVAL = 0
    settings.PAPERFEED_HTTP_BACKOFF = 0.05
    settings.PAPERFEED_HTTP_TIMEOUT = 2
    return fixture_server


@pytest.mark.parametrize("page", [XHTML, HTML5], ids=["xhtml", "html5"])
def test_an_html_page_fails_the_ingest_instead_of_saying_not_found(api, page):
    api.add_api_response(PARAMS, page, status=200)
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("ingest", "arxiv-api", "--ids", ARXIV_ID, stdout=out, stderr=err)
    assert exit.value.code == 1
    assert "arxiv-api: the source failed: arXiv API sent an unreadable page: " in err.getvalue()
    assert "not found" not in out.getvalue()
    assert len(api.requests_to("/api/query")) == 2  # fetched once more before giving up
    run = IngestRun.objects.filter(source="arxiv-api").latest("pk")
    assert run.status == "failed"


def test_a_well_formed_error_page_says_what_came_instead_of_the_feed(api):
    api.add_api_response(PARAMS, XHTML, status=200)
    with pytest.raises(SourceError, match=r"expected <feed>, got <html> \(an error page\?\)"):
        fetch_paper(ARXIV_ID, origin="test", retries=0)
    assert not Paper.objects.filter(arxiv_id=ARXIV_ID).exists()


def test_an_empty_feed_is_still_not_found(api):
    feed = '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>arXiv</title></feed>'
    api.add_api_response(PARAMS, feed, status=200)
    assert fetch_paper(ARXIV_ID, origin="test", retries=0) is None


@pytest.mark.parametrize(
    ("parse", "expected"),
    [
        (parse_atom, "expected <feed>, got <html> (an error page?)"),
        (parse_oai, "expected <GetRecord> or <ListRecords> or <OAI-PMH>, got <html> (an error page?)"),
        (parse_rss, "expected <rss>, got <html> (an error page?)"),
    ],
    ids=["atom", "oai", "rss"],
)
def test_every_arxiv_feed_parser_refuses_a_page_that_is_not_its_document(parse, expected):
    # OAI-PMH would otherwise end a harvest as complete, RSS report a day without announcement.
    assert parse(XHTML.encode()).unreadable == expected
