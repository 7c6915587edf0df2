"""HTML and JavaScript in titles, abstracts, names and links render as text, everywhere."""

from datetime import date

import pytest

from paperfeed.papers.daily import Listing, list_papers
from paperfeed.papers.store import store_records
from paperfeed.sources.normalize import build_record

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
HOSTILE_TITLE = f"Attention {SCRIPT} is all {ATTRIBUTE} you need for $x^2$"
HOSTILE_ABSTRACT = f"We prove $E = mc^2$ {ATTRIBUTE} and {SCRIPT}. Code: https://github.com/evil/repo\"onmouseover=alert(1)"
HOSTILE_AUTHOR = "Mallory <b onmouseover=alert(2)>Evil</b>"


@pytest.fixture
def hostile_paper(db):
    result = store_records(
        [
            build_record(
                arxiv_id="2611.66666",
                title=HOSTILE_TITLE,
                abstract=HOSTILE_ABSTRACT,
                authors=[HOSTILE_AUTHOR, "Alice"],
                comments=f"Project page: javascript:alert(3) {SCRIPT}",
                categories="cs.CR",
                versions=[{"version": "v1", "created": "2026-11-20T10:00:00Z"}],
            )
        ]
    )
    list_papers([Listing(result.paper_ids["2611.66666"], date(2026, 11, 20), 3, f"eve{SCRIPT}", f"Org {ATTRIBUTE}")])


def assert_inert(html: str) -> None:
    for dangerous in (SCRIPT, "<img src=x", "<b onmouseover", "javascript:alert", 'onmouseover=alert(1)"'):
        assert dangerous not in html, dangerous


@pytest.mark.parametrize("url", ["/papers/date/2026-11-20", "/papers/2611.66666", "/papers/week/2026-W47",
                                 "/papers/month/2026-11", "/papers/search?q=attention+prove"])
def test_pages_escape_everything(client, hostile_paper, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert_inert(html)
    assert "&lt;script&gt;alert(" in html
    assert "$x^2$" in html  # math is left for KaTeX to render in the browser


def test_link_extraction_does_not_carry_attributes(hostile_paper):
    from paperfeed.papers.models import Paper

    paper = Paper.objects.get(arxiv_id="2611.66666")
    assert paper.github_repo == "https://github.com/evil/repo"
    assert paper.project_page == ""


def test_markdown_view_is_plain_text(client, hostile_paper):
    response = client.get("/papers/2611.66666.md")
    assert response["Content-Type"].startswith("text/markdown")
    assert response["X-Content-Type-Options"] == "nosniff"
