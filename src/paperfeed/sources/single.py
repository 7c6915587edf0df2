"""Fetching one paper by id into the store: what `paperfeed submit` and the submit page share."""

from __future__ import annotations

from paperfeed.papers.models import Paper
from paperfeed.sources import arxiv_api
from paperfeed.sources.http import PoliteClient, SourceError
from paperfeed.sources.pipeline import RunLog, Sink


def fetch_paper(arxiv_id: str, *, origin: str, retries: int | None = None) -> Paper | None:
    """Fetch a paper from the arXiv API through the polite client and store it, with a run log.

    Returns the stored paper, or None when arXiv does not know it; raises SourceError when
    arXiv fails (after `retries`, default the setting — a web request passes 0, because a
    Retry-After wait would hold a worker), or when the database refused arXiv's record (it is
    quarantined, see Sink.flush).
    """
    log = RunLog("submit", origin)
    sink = Sink("submit")
    options = {} if retries is None else {"retries": retries}
    with PoliteClient(**options) as client:
        try:
            missing = arxiv_api.fetch_ids(client, [arxiv_id], sink)
        except Exception as exc:
            log.finish(sink.summary, failed=str(exc), requests=client.requests_made)
            raise
        log.finish(sink.summary, requests=client.requests_made)
    if missing:
        return None
    paper = Paper.objects.filter(arxiv_id=arxiv_id).first()
    if paper is None:  # arXiv knows it, but its record was refused: not "not found"
        raise SourceError(f"arXiv's record of {arxiv_id} could not be stored; it is quarantined (see paperfeed status)")
    return paper
