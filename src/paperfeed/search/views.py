"""The search page: keyword search, and arXiv ids or URLs that go straight to the paper."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect, render

from paperfeed.papers.ids import parse_arxiv_reference
from paperfeed.papers.models import Paper
from paperfeed.search.backends import lexical_backend
from paperfeed.search.highlight import highlighted_html
from paperfeed.search.query import MAX_QUERY_CHARS

MAX_PAGE = 50  # deeper pages are never useful and would let one request scan the whole index


def _page_number(raw: str | None) -> int:
    try:
        return min(max(int(raw or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


def search_page(request):
    query = (request.GET.get("q") or "")[:MAX_QUERY_CHARS].strip()
    context: dict = {"query": query, "results": [], "total": 0}
    if not query:
        return render(request, "search/search.html", context)

    reference = parse_arxiv_reference(query)
    if reference is not None:
        if Paper.objects.filter(arxiv_id=reference.id).exists():
            return redirect("paper-detail", arxiv_id=reference.id)
        context["unknown_id"] = reference.id

    page = _page_number(request.GET.get("p"))
    size = settings.PAGE_SIZE
    found = lexical_backend().search(query, limit=size, offset=(page - 1) * size)
    papers = Paper.objects.select_related("primary_category").in_bulk([h.paper_id for h in found.hits])
    context["results"] = [
        {
            "paper": papers[hit.paper_id],
            "title_html": highlighted_html(hit.title_highlight),
            "snippet_html": highlighted_html(hit.abstract_snippet),
        }
        for hit in found.hits
        if hit.paper_id in papers
    ]
    last_page = min(MAX_PAGE, (found.total + size - 1) // size)
    context.update(
        total=found.total,
        page=page,
        previous_page=page - 1 if page > 1 else None,
        next_page=page + 1 if page < last_page else None,
    )
    return render(request, "search/search.html", context)
