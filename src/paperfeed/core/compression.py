"""gzip for JSON answers (the API, JSON feeds), never for HTML pages.

A day of `/api/daily_papers` is ~100 KB of JSON and a fifth of that gzipped; the API is what
scripts and feed readers poll. HTML is left alone on purpose (BREACH): a compressed page
that holds a secret next to text an attacker chooses (a search query echoed back) leaks
the secret through its size, and the site's pages hold such secrets for a signed-in reader
(see docs/security.md, "Compression and BREACH"). JSON is compressed only where no
attacker can make a victim's browser ask for it with the victim's credentials: not for a
request carrying the session cookie (a session may read its own data: whoami, export,
private collections), nor for answers for one reader only (`Cache-Control: private`, e.g.
a personal feed behind its secret URL). Anonymous and token requests, what scripts and
feed readers send, are compressed: a browser never adds a bearer token by itself.

Django's GZipMiddleware does the work: `Vary: Accept-Encoding` on every answer it looks at,
a strong ETag made weak on the compressed body (it is another representation: RFC 9110
§8.8.1), random bytes in the gzip header. A 304 answering a client that holds the
compressed body (its If-None-Match is the weak tag) gets the weak tag back, so the client's
stored ETag stays the one it was given.
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class JsonGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if response.status_code == 304:
            return _weak_etag_for_weak_holder(request, response)
        if not is_json(response.get("Content-Type", "")):
            return response
        if "private" in response.get("Cache-Control", "").lower():
            return response
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            patch_vary_headers(response, ("Accept-Encoding", "Cookie"))
            return response
        return super().process_response(request, response)


def _weak_etag_for_weak_holder(request, response):
    etag = response.get("ETag", "")
    if etag.startswith('"') and f"W/{etag}" in request.META.get("HTTP_IF_NONE_MATCH", ""):
        response.headers["ETag"] = f"W/{etag}"
        patch_vary_headers(response, ("Accept-Encoding",))
    return response
