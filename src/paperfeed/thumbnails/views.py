"""Serving a thumbnail file: small, public, and cacheable for good (its URL carries a version)."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponseNotModified
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since

from paperfeed.thumbnails import files

# A URL with ?v=… names one file forever (a new render gets a new v); without it, an hour.
VERSIONED_CACHE = "public, max-age=31536000, immutable"
PLAIN_CACHE = "public, max-age=3600"


def _arxiv_id(name: str) -> str:
    """`2410/2410.18693` → `2410.18693`, `hep-th/9901001` → itself; Http404 for anything else."""
    first, _, rest = name.partition("/")
    candidate = rest if first.isdigit() else name
    try:
        if files.relative_path(candidate) == f"{name}.webp":
            return candidate
    except ValueError:
        pass
    raise Http404("no such thumbnail")


@require_safe
def thumbnail(request, name: str):
    path = files.path_for(_arxiv_id(name))
    try:
        stat = path.stat()
    except OSError:
        raise Http404("no such thumbnail") from None
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), int(stat.st_mtime)):
        response = HttpResponseNotModified()
    else:
        response = FileResponse(path.open("rb"), content_type="image/webp")
        response["Content-Length"] = str(stat.st_size)
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["Cache-Control"] = VERSIONED_CACHE if "v" in request.GET else PLAIN_CACHE
    return response
