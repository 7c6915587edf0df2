"""The paper page and its Markdown twin."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string

from paperfeed.core.page_cache import cached_page
from paperfeed.papers.ids import parse_arxiv_id
from paperfeed.papers.models import Paper
from paperfeed.search.hybrid import similar_papers


def _get_paper(arxiv_id: str):
    """The paper for an id in the URL, or a redirect to its canonical (version-less) URL."""
    parsed = parse_arxiv_id(arxiv_id)
    if parsed is None:
        raise Http404("Not an arXiv identifier.")
    if str(parsed.id) != arxiv_id:
        return None, parsed.id
    paper = get_object_or_404(Paper.objects.select_related("primary_category"), arxiv_id=parsed.id)
    return paper, None


def _paper_context(paper: Paper) -> dict:
    entries = list(paper.daily_entries.select_related("organization", "submitter").order_by("date"))
    return {
        "paper": paper,
        "authors": [a.author.name for a in paper.authorships.select_related("author")],
        "categories": [c.code for c in paper.categories.all()],
        "versions": list(paper.versions.all()),
        "entries": entries,
        "upvotes": paper.total_upvotes,
        "organization": next((e.organization for e in entries if e.organization), None),
        "similar": _similar(paper),
    }


def _similar(paper: Paper) -> list[Paper]:
    """Nearest papers by embedding: one vector look-up, not a scan (none before indexing)."""
    neighbours = similar_papers(paper.pk, k=6)
    found = Paper.objects.in_bulk([pid for pid, _ in neighbours])
    return [found[pid] for pid, _ in neighbours if pid in found]


@cached_page()
def paper_detail(request, arxiv_id: str):
    paper, canonical = _get_paper(arxiv_id)
    if canonical:
        return redirect("paper-detail", arxiv_id=canonical, permanent=True)
    return render(request, "papers/detail.html", _paper_context(paper))


@cached_page(per_reader=False)
def paper_markdown(request, arxiv_id: str):
    paper, canonical = _get_paper(arxiv_id)
    if canonical:
        return redirect("paper-markdown", arxiv_id=canonical, permanent=True)
    # Plain text, never HTML: nothing in it is interpreted by a browser (nosniff is on).
    body = render_to_string("papers/detail.md", _paper_context(paper))
    return HttpResponse(body, content_type="text/markdown; charset=utf-8")
