import pytest

from paperfeed.papers.models import Paper

pytestmark = pytest.mark.django_db


def test_seed_paper_page(client, sample_db):
    response = client.get("/papers/2412.13148")
    assert response.status_code == 200
    html = response.content.decode()
    assert "SWAN: SGD with Normalization and Whitening Enables Stateless LLM Training" in html
    assert "https://arxiv.org/abs/2412.13148" in html
    assert "https://arxiv.org/pdf/2412.13148" in html
    assert 'href="/papers/2412.13148.md"' in html
    assert 'href="/papers/date/2024-12-17"' in html
    assert "katex" in html


def test_paper_page_shows_every_version_and_category(client, sample_db):
    paper = Paper.objects.filter(versions__number=2).first()
    html = client.get(f"/papers/{paper.arxiv_id}").content.decode()
    assert f"v{paper.latest_version}" in html
    for version in paper.versions.all():
        assert f"{version.created:%b} {version.created.day}, {version.created.year}" in html
    for category in paper.categories.all():
        assert category.code in html
    for authorship in paper.authorships.select_related("author")[:5]:
        from django.utils.html import escape

        assert escape(authorship.author.name) in html


def test_old_style_id_page(client, sample_db):
    paper = Paper.objects.filter(arxiv_id__contains="/").first()
    assert paper is not None, "the sample holds old-style ids"
    response = client.get(f"/papers/{paper.arxiv_id}")
    assert response.status_code == 200


def test_versioned_or_uppercase_id_redirects_to_the_canonical_url(client, sample_db):
    response = client.get("/papers/2412.13148v2")
    assert response.status_code == 301 and response["Location"] == "/papers/2412.13148"
    old = Paper.objects.filter(arxiv_id__contains="/").first()
    response = client.get(f"/papers/{old.arxiv_id.upper()}")
    assert response.status_code == 301 and response["Location"] == f"/papers/{old.arxiv_id}"


def test_unknown_and_malformed_ids_are_404(client, sample_db):
    assert client.get("/papers/2412.99999").status_code == 404
    assert client.get("/papers/1301.12345").status_code == 404  # five digits before 1501


def test_markdown_view(client, sample_db):
    response = client.get("/papers/2412.13148.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("# SWAN: SGD with Normalization and Whitening Enables Stateless LLM Training")
    assert "https://arxiv.org/abs/2412.13148" in body
    assert "Kingma & Ba, 2015" in body  # not HTML-escaped: this is Markdown


def test_health(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
