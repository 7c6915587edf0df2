"""Reading papers: GET /api/papers/<id>, /api/papers/search, /api/papers (cursor pages)."""

from __future__ import annotations

import base64
import binascii

from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode

from paperfeed.api import params
from paperfeed.api.http import ApiError, json_list, json_object
from paperfeed.api.serializers import PaperBatch
from paperfeed.papers.ids import parse_arxiv_id, parse_arxiv_reference
from paperfeed.papers.models import Paper
from paperfeed.search.hybrid import rank

SEARCH_DEFAULT_LIMIT = 20
LIST_DEFAULT_LIMIT = 50


def paper_or_404(arxiv_id: str) -> Paper:
    parsed = parse_arxiv_id(arxiv_id)
    paper = Paper.objects.filter(arxiv_id=parsed.id).first() if parsed else None
    if paper is None:
        raise Http404("Paper not found.")
    return paper


def paper_detail(request, arxiv_id: str):
    paper = paper_or_404(arxiv_id)
    return json_object(PaperBatch([paper.pk]).paper(paper))


def search(request):
    """Hybrid search (search.hybrid.rank); an arXiv id or URL as the query finds that paper."""
    query = params.text(request, "q")
    limit = params.limit(request, SEARCH_DEFAULT_LIMIT)
    if not query:
        ids = list(Paper.objects.order_by("-published", "-id").values_list("id", flat=True)[:limit])
    else:
        reference = parse_arxiv_reference(query)
        if reference is not None:
            ids = list(Paper.objects.filter(arxiv_id=reference.id).values_list("id", flat=True))
        else:
            ids = [hit.paper_id for hit in rank(query, "hybrid").hits[:limit]]
    papers = Paper.objects.in_bulk(ids)
    batch = PaperBatch(ids)
    return json_list([batch.item(papers[pid]) for pid in ids if pid in papers])


# /api/papers walks every paper, most recently added first, by keyset: the cursor is the last
# row's id, so pages stay consistent while new papers arrive (they sort before the walk).


def encode_cursor(paper_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{paper_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    kind, _, number = raw.partition(":")
    if kind != "id" or not number.isascii() or not number.isdigit() or len(number) > 18:
        raise ApiError("cursor is not one this server gave out.")
    return int(number)


def paper_list(request):
    limit = params.limit(request, LIST_DEFAULT_LIMIT)
    cursor = params.text(request, "cursor", 100)
    papers = Paper.objects.order_by("-id")
    if cursor:
        papers = papers.filter(id__lt=decode_cursor(cursor))
    rows = list(papers[: limit + 1])
    more, rows = len(rows) > limit, rows[:limit]
    batch = PaperBatch([paper.pk for paper in rows])
    response = json_list([batch.paper(paper) for paper in rows])
    if more:
        query = urlencode({"cursor": encode_cursor(rows[-1].pk), "limit": limit})
        response["Link"] = f'<{request.build_absolute_uri(reverse("api-papers"))}?{query}>; rel="next"'
    return response
