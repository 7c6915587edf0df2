import re

import pytest

from paperfeed.papers.models import Paper

pytestmark = pytest.mark.django_db


def test_finds_swan_by_idea(client, sample_db):
    response = client.get("/papers/search", {"q": "stateless optimizer"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/papers/2412.13148"' in html
    assert "<mark>" in html


def result_ids(html: str) -> list[str]:
    return re.findall(r'<a href="/papers/([^"]+)" class="card-title', html)


def test_first_hit_for_an_exact_title(client, sample_db):
    html = client.get("/papers/search", {"q": "Forward Learning of Graph Neural Networks"}).content.decode()
    assert result_ids(html)[0] == "2403.11004"


def test_author_search(client, sample_db):
    html = client.get("/papers/search", {"q": "Nadolsky"}).content.decode()
    assert 'href="/papers/0704.0001"' in html


@pytest.mark.parametrize(
    "query",
    ["2412.13148", "arXiv:2412.13148v2", "https://arxiv.org/abs/2412.13148v1", "https://arxiv.org/pdf/2412.13148",
     "https://huggingface.co/papers/2412.13148"],
)
def test_ids_and_urls_go_straight_to_the_paper(client, sample_db, query):
    response = client.get("/papers/search", {"q": query})
    assert response.status_code == 302 and response["Location"] == "/papers/2412.13148"


def test_unknown_id_says_so(client, sample_db):
    html = client.get("/papers/search", {"q": "2611.99999"}).content.decode()
    assert "https://arxiv.org/abs/2611.99999" in html


HOSTILE = [
    "",
    "   ",
    "x" * 10_000,
    "word " * 2_000,
    '"AND OR NEAR(',
    "'; DROP TABLE papers_paper; --",
    '"',
    "'",
    "*",
    "title:swan",
    "NEAR(a b, 2)",
    "a OR",
    "-swan",
    "^swan",
    "🦢 optimizer",
    "量子 計算",
    "\x00\x01",
    "%",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_fail(client, sample_db, query):
    response = client.get("/papers/search", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert Paper.objects.filter(arxiv_id="2412.13148").exists()  # nothing was dropped


def test_pagination(client, sample_db):
    first = client.get("/papers/search", {"q": "quantum"}).content.decode()
    second = client.get("/papers/search", {"q": "quantum", "p": "2"}).content.decode()
    assert "p=2" in first
    links = lambda html: set(re.findall(r'href="/papers/(\d{4}\.\d{4,5}|[a-z-]+/\d{7})"', html))
    assert links(first) and links(second) and not links(first) & links(second)
    assert client.get("/papers/search", {"q": "quantum", "p": "-4"}).status_code == 200
    assert client.get("/papers/search", {"q": "quantum", "p": "zzz"}).status_code == 200
