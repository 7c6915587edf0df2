"""The arXiv API (``/api/query``): papers by id list, or by search query with paging.

https://info.arxiv.org/help/api/user-manual.html — results come as Atom; a query pages with
``start``/``max_results`` (at most 2,000 a call) and reports ``opensearch:totalResults``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from paperfeed.papers.ids import parse_arxiv_id
from paperfeed.sources.formats.arxiv_atom import AtomPage, parse_atom
from paperfeed.sources.http import PoliteClient, SourceError, get_parsed
from paperfeed.sources.pipeline import Sink

MAX_PAGE = 2_000  # arXiv's limit per call
IDS_PER_CALL = 100  # an id_list this long keeps the URL well under any server's limit
EMPTY_PAGE_RETRIES = 2  # the API now and then answers a page with no entries by mistake


def _refuse(response) -> None:
    if response.status == 400:
        # arXiv reports a bad query as an Atom feed with one error entry and status 400.
        problems = [p.reason for p in parse_atom(response.body).items if hasattr(p, "reason")]
        raise SourceError(f"arXiv API refused the request: {'; '.join(problems) or response.text[:200]}")


def _get_page(client: PoliteClient, params: dict) -> AtomPage:
    return get_parsed(client, settings.PAPERFEED_ARXIV_API_URL, params, parse_atom, "arXiv API", _refuse)


def fetch_ids(client: PoliteClient, ids: Iterable[str], sink: Sink) -> list[str]:
    """Fetch papers by id (with or without version); returns the ids arXiv did not know."""
    wanted = []
    for raw in ids:
        parsed = parse_arxiv_id(raw)
        if parsed is None:
            raise SourceError(f"not an arXiv identifier: {raw!r}")
        wanted.append(str(parsed))
    missing = []
    for start in range(0, len(wanted), IDS_PER_CALL):
        chunk = wanted[start : start + IDS_PER_CALL]
        params = {"search_query": "", "id_list": ",".join(chunk), "start": 0, "max_results": IDS_PER_CALL}
        page = _get_page(client, params)
        found = set()
        for item in page.items:
            sink.add(item)
            if hasattr(item, "arxiv_id"):
                found.add(item.arxiv_id)
        sink.flush()
        if page.unreadable:
            raise SourceError(f"arXiv API sent an unreadable page: {page.unreadable}")
        missing += [i for i in chunk if parse_arxiv_id(i).id not in found]
    return missing


def fetch_query(client: PoliteClient, query: str, sink: Sink, page_size: int = 100, limit: int | None = None) -> int:
    """Page through a search query, newest first; returns how many entries were read.

    Stops at the first short page (fewer entries than asked), at totalResults, or at `limit`.
    """
    page_size = max(1, min(page_size, MAX_PAGE))
    start = read = 0
    empty_retries = 0
    while limit is None or read < limit:
        size = page_size if limit is None else min(page_size, limit - read)
        params = {
            "search_query": query,
            "id_list": "",
            "sortBy": "submittedDate",
            "sortOrder": "descending",
            "start": start,
            "max_results": size,
        }
        page = _get_page(client, params)
        sink.add_all(page.items)
        sink.flush()
        if page.unreadable:
            raise SourceError(f"arXiv API sent an unreadable page at start={start}: {page.unreadable}")
        got = len(page.items)
        total = page.paging.total_results
        if got == 0 and total is not None and start < total and empty_retries < EMPTY_PAGE_RETRIES:
            empty_retries += 1
            continue
        empty_retries = 0
        read += got
        start += got
        if got < size or (total is not None and start >= total):
            break
    return read
