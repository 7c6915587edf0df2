"""The search page: hybrid search, filters, and arXiv ids or URLs that go straight to the paper."""

from __future__ import annotations


from django.conf import settings
from django.shortcuts import redirect, render

from paperfeed.papers.cards import prime_card_state
from paperfeed.papers.ids import parse_arxiv_reference
from paperfeed.papers.models import Paper
from paperfeed.personal.models import SavedSearch
from paperfeed.personal.mutes import mute_ids
from paperfeed.search.engines import engine
from paperfeed.search.filters import SearchFilters
from paperfeed.search.highlight import highlighted_html
from paperfeed.search.hybrid import MODES, rank
from paperfeed.search.query import MAX_QUERY_CHARS

MAX_PAGE = 20  # the fused ranking holds at most a few hundred candidates


def _page_number(raw: str | None) -> int:
    try:
        return min(max(int(raw or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


def _without_page(params) -> str:
    """The current query string minus the page number, for pagination links."""
    kept = params.copy()
    kept.pop("p", None)
    return kept.urlencode()


def _saved_search(request, query: str) -> SavedSearch | None:
    """The reader's saved search of exactly this query, for "Saved" instead of "Save this search"."""
    if not request.user.is_authenticated:
        return None
    return SavedSearch.objects.filter(user=request.user, query=query).first()


def search_page(request):
    query = (request.GET.get("q") or "")[:MAX_QUERY_CHARS].strip()
    mode = request.GET.get("mode") if request.GET.get("mode") in MODES else "hybrid"
    filters = SearchFilters.from_query(request.GET)
    context: dict = {"query": query, "results": [], "total": 0, "mode": mode, "filters": filters, "modes": MODES}
    if not query:
        return render(request, "search/search.html", context)

    reference = parse_arxiv_reference(query)
    if reference is not None:
        if Paper.objects.filter(arxiv_id=reference.id).exists():
            return redirect("paper-detail", arxiv_id=reference.id)
        context["unknown_id"] = reference.id

    ranking = rank(query, mode, depth=1000 if filters.active else 100)
    ordered_ids = filters.apply([hit.paper_id for hit in ranking.hits])
    ordered_ids, muted_note = mute_ids(request, ordered_ids)  # mute rules hold on every surface
    page = _page_number(request.GET.get("p"))
    size = settings.PAGE_SIZE
    page_ids = ordered_ids[(page - 1) * size : page * size]
    papers = Paper.objects.select_related("primary_category").in_bulk(page_ids)
    marked = engine().lexical.highlights(query, page_ids)
    prime_card_state(request, page_ids)
    context["results"] = [
        {
            "paper": papers[pid],
            "title_html": highlighted_html(marked[pid][0]) if pid in marked else None,
            "snippet_html": highlighted_html(marked[pid][1]) if pid in marked else None,
        }
        for pid in page_ids
        if pid in papers
    ]
    last_page = min(MAX_PAGE, (len(ordered_ids) + size - 1) // size)
    context.update(
        total=len(ordered_ids),
        page=page,
        previous_page=page - 1 if page > 1 else None,
        next_page=page + 1 if page < last_page else None,
        mode_used=ranking.mode,
        note=ranking.note,
        page_query=_without_page(request.GET),
        muted_note=muted_note,
        saved_search=_saved_search(request, query),
    )
    return render(request, "search/search.html", context)
