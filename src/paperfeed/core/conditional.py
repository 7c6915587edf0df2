"""Conditional GET for views whose output is a function of a few database rows.

A view computes its `Validators` from the data it is about to render (ids, change times,
counts), cheaply, before rendering anything; `respond` answers 304 Not Modified when the
client's If-None-Match / If-Modified-Since still hold, and otherwise renders and sends the
body with ETag, Last-Modified and Cache-Control. Feeds use it (feed readers poll every few
minutes); any page can, by describing what its output depends on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date


@dataclass(frozen=True)
class Validators:
    etag: str  # quoted, as sent in the ETag header
    last_modified: datetime | None


def validators(parts: Iterable[object], last_modified: Iterable[datetime | None]) -> Validators:
    """The ETag is a digest of `parts`: everything the rendered output depends on (its
    renderer's version, titles, ids and change times of the rows shown, counts, order). So a
    strong ETag needs no rendering, and two renderings of the same data share it.
    Last-Modified is the newest of the given change times (None ones are skipped)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode("utf-8", "backslashreplace"))
        digest.update(b"\x1f")
    times = [t for t in last_modified if t is not None]
    return Validators(etag=f'"{digest.hexdigest()[:32]}"', last_modified=max(times) if times else None)


def respond(
    request: HttpRequest,
    found: Validators,
    render: Callable[[], HttpResponse],
    *,
    max_age: int,
    private: bool = False,
) -> HttpResponse:
    """304 when the client's copy is current (RFC 9110 §13.2.2, via Django's own evaluation:
    If-None-Match wins over If-Modified-Since), else `render()`; both carry the validators
    and Cache-Control (`private` for what only one reader may see, e.g. a secret-URL feed)."""
    headers = HttpResponse()
    headers["ETag"] = found.etag
    if found.last_modified is not None:
        headers["Last-Modified"] = http_date(found.last_modified.timestamp())
    cache_control = {"max_age": max_age, "private" if private else "public": True}
    patch_cache_control(headers, **cache_control)
    timestamp = int(found.last_modified.timestamp()) if found.last_modified is not None else None
    answered = get_conditional_response(request, etag=found.etag, last_modified=timestamp, response=headers)
    if answered is not headers:
        return answered  # 304 (or 412 for a failed If-Match), with the same validators
    response = render()
    for name in ("ETag", "Last-Modified", "Cache-Control"):
        if name in headers:
            response[name] = headers[name]
    return response
