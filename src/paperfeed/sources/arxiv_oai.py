"""Bulk harvest over OAI-PMH (https://info.arxiv.org/help/oa/index.html), resumable.

Each page's records and the resumption token that follows them are committed in one
transaction (see HarvestCheckpoint), so `--resume` after a crash or `kill -9` continues
with the first page not yet stored. Storing is idempotent, so even a page stored twice
would change nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.conf import settings

from paperfeed.sources.formats.oai import OAIError, OAIPage, parse_oai
from paperfeed.sources.http import PoliteClient, SourceError, get_parsed
from paperfeed.sources.models import HarvestCheckpoint
from paperfeed.sources.pipeline import Sink

log = logging.getLogger(__name__)

PREFIXES = ("arXiv", "arXivRaw", "oai_dc")


@dataclass(frozen=True)
class Harvest:
    set_spec: str
    from_date: date | None
    until_date: date | None = None
    prefix: str = "arXiv"

    @property
    def key(self) -> str:
        parts = [settings.PAPERFEED_ARXIV_OAI_URL, self.prefix, self.set_spec, str(self.from_date or ""), str(self.until_date or "")]
        return "|".join(parts)[:300]

    def first_request(self) -> dict:
        params = {"verb": "ListRecords", "metadataPrefix": self.prefix}
        if self.set_spec:
            params["set"] = self.set_spec
        if self.from_date:
            params["from"] = self.from_date.isoformat()
        if self.until_date:
            params["until"] = self.until_date.isoformat()
        return params


def _fetch(client: PoliteClient, params: dict) -> OAIPage:
    return get_parsed(client, settings.PAPERFEED_ARXIV_OAI_URL, params, parse_oai, "OAI-PMH")


def harvest(client: PoliteClient, job: Harvest, sink: Sink, resume: bool = False) -> HarvestCheckpoint:
    """Run (or with `resume`, continue) a harvest; returns its checkpoint when complete."""
    checkpoint, _ = HarvestCheckpoint.objects.get_or_create(key=job.key)
    if resume and checkpoint.finished:
        log.info("harvest %s already finished", job.key)
        return checkpoint
    if resume and checkpoint.resumption_token:
        params = {"verb": "ListRecords", "resumptionToken": checkpoint.resumption_token}
    else:
        _restart(checkpoint)
        params = job.first_request()
    restarted = False

    while True:
        try:
            page = _fetch(client, params)
        except OAIError as exc:
            if exc.code == "badResumptionToken" and "resumptionToken" in params and not restarted:
                # Tokens expire (arXiv keeps them for a limited time). Start the list again:
                # pages already stored are stored again without changing anything.
                log.warning("resumption token expired; restarting the harvest from its first page")
                restarted = True
                _restart(checkpoint)
                params = job.first_request()
                continue
            raise SourceError(f"OAI-PMH error {exc}") from None
        if page.unreadable:
            sink.add_all(page.items)  # what could be read, and the problem with the rest
            sink.flush()
            raise SourceError(f"OAI-PMH sent an unreadable page; run again with --resume: {page.unreadable}")

        token = page.resumption.token if page.resumption else ""

        def advance(page=page, token=token) -> None:
            checkpoint.resumption_token = token
            checkpoint.cursor = page.resumption.cursor if page.resumption else None
            checkpoint.complete_list_size = page.resumption.complete_list_size if page.resumption else None
            checkpoint.pages += 1
            checkpoint.records += len(page.items)
            checkpoint.finished = not token
            checkpoint.save()

        for item in page.items:
            sink.add(item)
        sink.flush(also=advance)
        if not token:
            return checkpoint
        params = {"verb": "ListRecords", "resumptionToken": token}


def _restart(checkpoint: HarvestCheckpoint) -> None:
    checkpoint.resumption_token = ""
    checkpoint.cursor = checkpoint.complete_list_size = None
    checkpoint.pages = checkpoint.records = 0
    checkpoint.finished = False
    checkpoint.save()
