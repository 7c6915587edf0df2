"""Pages rendered once per change, served from the shared cache (docs/features/pages.md).

A view decorated with `cached_page` renders its page once; later GET/HEAD requests for the
same URL are answered from the "pages" cache (settings.CACHES: files in the data directory,
or Redis/memcached) without touching the database, with ETag / Last-Modified and 304s.

Freshness is a *generation*: one random token in the cache, stored with every page. A write
that changes what pages show (papers stored, a listing, a vote, a comment, a trending run)
calls `pages_changed()`, which draws a new token, so every page rendered before it is stale
at once. Tokens are random rather than counted so that a lost or evicted token can never
come back as an old value. Whatever no write announces still ends: a page lives at most
PAPERFEED_PAGE_CACHE seconds (0 turns the cache off).

What a cached body may not carry is another visitor's state:
- only anonymous requests are answered from the cache (`per_reader` views: lists, the paper
  page); a signed-in reader's page shows their votes, saves and mutes and is rendered as
  before. Feeds are the same for everyone and are cached for all.
- the CSRF token: pages are rendered with a placeholder (derived from the secret key, so no
  paper title can spell it) instead of a token, and each response gets the visitor's own
  token in its place. The Content-Security-Policy has no nonces (csp.py), so nothing else
  in a page is per request.
- a request with a query parameter the view does not declare, or with a pending message
  (the messages cookie), is rendered and not cached: the page could show it.

Signed-in readers get their page rendered per request, but the parts of each card that are
the same for everyone (title, authors, excerpt, facts, thumbnail: `card_fragment` in
papers/templatetags/paper_tags.py) come from a small store in the worker's memory, kept
under the same generation: their votes, saves and mutes are rendered for them, the rest once.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

import paperfeed
from paperfeed.core.conditional import validators

CACHE_ALIAS = "pages"
GENERATION_KEY = "pages:generation"
# Headers a page's first rendering set that every copy served from the cache keeps.
_KEPT_HEADERS = ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Content-Language")
# Django's cookie message storage: a visitor holding one is about to see a message.
_MESSAGES_COOKIE = "messages"
# Set on the request while a page is rendered for the cache (the context processor reads it).
_RENDERING = "_paperfeed_page_cache_rendering"


def _cache():
    return caches[CACHE_ALIAS]


# -- invalidation ------------------------------------------------------------------------------


def _new_generation() -> None:
    _cache().set(GENERATION_KEY, secrets.token_hex(8), None)


def pages_changed() -> None:
    """Every cached page is stale from now on, and again when the current transaction commits.

    Now, so that a test (or a reader in this process) sees the change at once; at the commit
    too, because a reader that rendered the old rows between the first new generation and the
    commit stored its page under that generation.
    """
    # Even with the page cache off here: a batch command may run with other settings than the
    # server whose pages it changes.
    _new_generation()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_new_generation)


def _current_generation() -> str:
    cache = _cache()
    found = cache.get(GENERATION_KEY)
    if found is None:
        cache.add(GENERATION_KEY, secrets.token_hex(8), None)
        found = cache.get(GENERATION_KEY)
    return found


# -- the CSRF placeholder ----------------------------------------------------------------------


@functools.cache
def _placeholder() -> str:
    # Letters and digits only, so escaping leaves it as it is; derived from the secret key, so
    # no text from a source or a user can contain it and be swapped for a token.
    return "csrf" + hmac.new(str(settings.SECRET_KEY).encode(), b"paperfeed page cache csrf", "sha256").hexdigest()[:40]


def csrf_placeholder(request) -> dict:
    """Context processor: while a page is rendered for the cache, `csrf_token` is the
    placeholder (configured after Django's own csrf processor, so it wins)."""
    if getattr(request, _RENDERING, False):
        return {"csrf_token": _placeholder()}
    return {}


def csrf_token_for(request) -> str:
    """The CSRF token for a template tag that builds its own context (an inclusion tag used
    with `only`): the placeholder while the page is rendered for the cache. One masked token
    per response, not one per button: masking 60 times a page cost ~8 % of its rendering."""
    if getattr(request, _RENDERING, False):
        return _placeholder()
    token = getattr(request, "_paperfeed_csrf_token", None)
    if token is None:
        token = request._paperfeed_csrf_token = get_token(request)
    return token


# -- fragments of signed-in readers' pages ----------------------------------------------------

# (generation, fragment key) → (rendered HTML, when). Per worker process: a fragment is a
# few hundred bytes, read many times per page, so a dictionary beats a round trip per card;
# emptied when full rather than kept in LRU order (fragments of old generations are never
# read again, and a full store is rare).
_fragments: dict[tuple, tuple[str, float]] = {}
FRAGMENT_LIMIT = 5000
_FRAGMENT_GENERATION = "_paperfeed_fragment_generation"


def shared_fragment(request, key: tuple, render: Callable[[], str]) -> str:
    """A part of a page that is the same for every reader, rendered once per generation in
    this worker (and at most PAPERFEED_PAGE_CACHE seconds ago); `render()` otherwise.
    Only on pages `cached_page` renders for a signed-in reader."""
    generation = getattr(request, _FRAGMENT_GENERATION, None) if request is not None else None
    if generation is None:
        return render()
    full_key = (generation, *key)
    found = _fragments.get(full_key)
    now = time.monotonic()
    if found is not None and now - found[1] <= settings.PAPERFEED_PAGE_CACHE:
        return found[0]
    html = render()
    if len(_fragments) >= FRAGMENT_LIMIT:
        _fragments.clear()
    _fragments[full_key] = (html, now)
    return html


def _with_visitor_token(request: HttpRequest, body: bytes, content_type: str) -> bytes:
    placeholder = _placeholder().encode()
    if not content_type.startswith("text/html") or placeholder not in body:
        return body
    return body.replace(placeholder, get_token(request).encode())


# -- serving -----------------------------------------------------------------------------------


def _key(request: HttpRequest) -> str:
    # The version too: after an upgrade, pages of the old templates (and static file names)
    # left in a shared cache are not served by the new code.
    url = f"{paperfeed.__version__} {request.path}?{request.META.get('QUERY_STRING', '')}"
    return "page:" + hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()


def _cacheable(request: HttpRequest, params: frozenset[str], per_reader: bool) -> bool:
    if not settings.PAPERFEED_PAGE_CACHE or request.method not in ("GET", "HEAD"):
        return False
    if any(name not in params for name in request.GET):
        return False
    if per_reader and (_MESSAGES_COOKIE in request.COOKIES or request.user.is_authenticated):
        return False
    return True


def _entry(response: HttpResponse, generation: str) -> dict | None:
    """What the cache keeps of a fresh response, or None when it must not be kept."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    if "private" in response.get("Cache-Control", "") or "no-store" in response.get("Cache-Control", ""):
        return None
    body = response.content
    headers = {name: response[name] for name in _KEPT_HEADERS if name in response}
    if "ETag" not in headers:
        # A weak ETag: the page's bytes differ by the visitor's CSRF token, its meaning not.
        headers["ETag"] = "W/" + validators([body], []).etag
        headers["Last-Modified"] = http_date(time.time())
    return {"generation": generation, "status": response.status_code, "body": body, "headers": headers}


def _from_entry(request: HttpRequest, entry: dict) -> HttpResponse:
    headers = entry["headers"]
    content_type = headers.get("Content-Type", "text/html; charset=utf-8")
    response = HttpResponse(status=entry["status"], content_type=content_type)
    for name, value in headers.items():
        response[name] = value
    if "Cache-Control" not in headers:
        # The body carries the visitor's CSRF token: browsers may keep it and ask again (304),
        # shared caches may not.
        patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ("Cookie",))
    last_modified = response.get("Last-Modified")
    timestamp = parse_http_date_safe(last_modified) if last_modified else None
    answered = get_conditional_response(request, etag=response.get("ETag"), last_modified=timestamp, response=response)
    if answered is not response:
        return answered
    response.content = _with_visitor_token(request, entry["body"], content_type)
    return response


def cached_page(params: Iterable[str] = (), *, per_reader: bool = True) -> Callable:
    """Decorate a page view: anonymous GET/HEAD requests are answered from the cache.

    `params`: the query parameters the page reads (e.g. "p", the page number); a request
    with any other is rendered and not cached, so no made-up query fills the cache.
    `per_reader=False` for output that is the same whoever asks (feeds): cached for
    signed-in readers too.
    """
    allowed = frozenset(params)

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _cacheable(request, allowed, per_reader):
                if per_reader and settings.PAPERFEED_PAGE_CACHE and request.method in ("GET", "HEAD"):
                    setattr(request, _FRAGMENT_GENERATION, _current_generation())
                return view(request, *args, **kwargs)
            key = _key(request)
            cache = _cache()
            found = cache.get_many([GENERATION_KEY, key])  # one round trip to Redis/memcached
            generation = found.get(GENERATION_KEY) or _current_generation()
            entry = found.get(key)
            if entry is not None and entry.get("generation") == generation:
                return _from_entry(request, entry)
            had_token = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
            setattr(request, _RENDERING, True)
            try:
                response = view(request, *args, **kwargs)
            finally:
                setattr(request, _RENDERING, False)
            # get_token() sets this flag: something in the page asked for this visitor's real
            # token instead of the placeholder, and the body must not be served to anyone else.
            own_token = not had_token and request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
            entry = None if own_token else _entry(response, generation)
            if entry is None:
                if not response.streaming:  # e.g. a 404 page rendered by the view itself
                    content_type = response.get("Content-Type", "")
                    response.content = _with_visitor_token(request, response.content, content_type)
                return response
            cache.set(key, entry, settings.PAPERFEED_PAGE_CACHE)
            return _from_entry(request, entry)

        return wrapper

    return decorate
