"""Thumbnails where people and programs see them: the include, the paper page, the file's URL, the API.

The thumbnails are made by the real run (fetch over HTTP from the loopback fixture server, render
in a child process, write to the data directory); the pages are read through Django's client.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.template.loader import render_to_string
from django.test import Client

from paperfeed.papers.models import Paper
from paperfeed.thumbnails.render import HEIGHT, WIDTH
from paperfeed.thumbnails.run import make_thumbnails, papers_to_do

from .images import ink, open_webp
from .pdfs import make_pdf

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 20)


@pytest.fixture
def pdf_host(settings, fixture_server):
    settings.PAPERFEED_ARXIV_PDF_URL = f"{fixture_server.url}/pdf"
    settings.PAPERFEED_ARXIV_INTERVAL = 0.05
    settings.PAPERFEED_HTTP_RETRIES = 0
    settings.PAPERFEED_API_ANON_RATE = 0
    return fixture_server


@pytest.fixture
def with_thumbnail(make_paper, pdf_host) -> Paper:
    paper = make_paper("2611.00001", listed=DAY, upvotes=3, title="Pictures of first pages")
    pdf_host.add_pdf(paper.arxiv_id, make_pdf(title="Pictures of first pages"))
    summary = make_thumbnails(papers_to_do([paper.arxiv_id]))
    assert summary.made == 1, summary.failed
    paper.refresh_from_db()
    return paper


def img_tags(html: str) -> list[str]:
    return re.findall(r"<img [^>]*class=\"thumbnail[^\"]*\"[^>]*>", html)


def test_the_include_gives_a_sized_lazy_image_with_alt_text_or_nothing(with_thumbnail, make_paper):
    html = render_to_string("papers/_thumbnail.html", {"paper": with_thumbnail})
    [tag] = img_tags(html)
    assert f'width="{WIDTH}"' in tag and f'height="{HEIGHT}"' in tag
    assert 'loading="lazy"' in tag and 'alt="First page of the paper"' in tag
    assert re.search(r'src="/thumbnails/2611/2611\.00001\.webp\?v=\d+"', tag)
    without = make_paper("2611.00002", listed=DAY)
    assert render_to_string("papers/_thumbnail.html", {"paper": without}).strip() == ""


def test_the_paper_page_shows_the_large_thumbnail_linked_to_the_pdf(with_thumbnail, make_paper):
    client = Client()
    html = client.get(f"/papers/{with_thumbnail.arxiv_id}").content.decode()
    [tag] = img_tags(html)
    assert "thumbnail-large" in tag and 'alt="First page of the PDF"' in tag
    assert f'<a href="https://arxiv.org/pdf/{with_thumbnail.arxiv_id}" rel="noopener noreferrer"><img' in html
    without = make_paper("2611.00003", listed=DAY)
    html = client.get(f"/papers/{without.arxiv_id}").content.decode()
    assert img_tags(html) == [] and "First page" not in html


def test_the_image_url_serves_the_webp_cacheably(with_thumbnail):
    client = Client()
    src = re.search(r'src="([^"]+)"', render_to_string("papers/_thumbnail.html", {"paper": with_thumbnail})).group(1)
    response = client.get(src)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    image = open_webp(b"".join(response.streaming_content))
    assert image.size == (WIDTH, HEIGHT) and ink(image) > 0.01
    again = client.get(src, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304
    assert client.get(src.split("?")[0])["Cache-Control"] == "public, max-age=3600"


@pytest.mark.parametrize(
    "url",
    [
        "/thumbnails/2611/2611.09999.webp",  # no such file
        "/thumbnails/2611.00001.webp",  # not the file's path
        "/thumbnails/2612/2611.00001.webp",
        "/thumbnails/2611/../secret_key.webp",
        "/thumbnails/%2e%2e/secret_key.webp",
        "/thumbnails/hep-th/../../secret_key.webp",
    ],
)
def test_anything_but_a_thumbnails_own_path_is_404(with_thumbnail, url):
    assert Client().get(url).status_code == 404


def test_the_api_gives_the_absolute_url_or_empty(with_thumbnail, make_paper, settings):
    make_paper("2611.00004", listed=DAY, upvotes=1)
    items = Client().get(f"/api/daily_papers?date={DAY.isoformat()}").json()
    thumbnails = {item["paper"]["id"]: item["thumbnail"] for item in items}
    assert re.fullmatch(re.escape(settings.BASE_URL) + r"/thumbnails/2611/2611\.00001\.webp\?v=\d+", thumbnails["2611.00001"])
    assert thumbnails["2611.00004"] == ""


def test_a_lost_file_is_forgotten_and_made_again(with_thumbnail, pdf_host):
    from paperfeed.thumbnails import files
    from paperfeed.thumbnails.run import forget_missing

    files.path_for(with_thumbnail.arxiv_id).unlink()
    assert forget_missing() == 1
    with_thumbnail.refresh_from_db()
    assert with_thumbnail.thumbnail_at is None
    assert [p.arxiv_id for p in papers_to_do(limit=5)][:1] == [with_thumbnail.arxiv_id]
