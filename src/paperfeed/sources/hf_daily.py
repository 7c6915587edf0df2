"""Hugging Face Daily Papers (``/api/daily_papers``): papers with their community listing.

The endpoint takes ``date=YYYY-MM-DD``, ``week=YYYY-Www`` or ``month=YYYY-MM`` and pages with
``p`` (0-based) and ``limit`` (at most 100). Upvotes, submitter, organization, code and
project links come with each item.
"""

from __future__ import annotations

import json

from django.conf import settings

from paperfeed.sources.formats.hf_daily import parse_hf_daily
from paperfeed.sources.http import PoliteClient, SourceError
from paperfeed.sources.pipeline import Sink

PAGE_SIZE = 100
MAX_PAGES = 100  # a month has a few hundred papers; this bounds a misbehaving server


def fetch_daily(client: PoliteClient, period: dict[str, str], sink: Sink) -> int:
    """Fetch one date, week or month (`period` = {"date": …} / {"week": …} / {"month": …})."""
    url = f"{settings.PAPERFEED_HF_URL}/api/daily_papers"
    read = 0
    for page_number in range(MAX_PAGES):
        response = client.get(url, {**period, "p": page_number, "limit": PAGE_SIZE})
        if response.status != 200:
            raise SourceError(f"Hugging Face answered HTTP {response.status} for {response.url}")
        try:
            items = json.loads(response.body)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested too deeply
            sink.add_all(parse_hf_daily(response.body, response.url))  # quarantines the body
            sink.flush()
            raise SourceError(f"Hugging Face sent malformed JSON: {exc}") from None
        sink.add_all(parse_hf_daily(items, response.url))
        sink.flush()
        count = len(items) if isinstance(items, list) else 0
        read += count
        if count < PAGE_SIZE:
            break
    return read
