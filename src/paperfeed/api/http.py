"""The API's envelope: JSON errors as Hugging Face gives them, CORS on reads, rate limits.

Every view is wrapped by `endpoint`, which dispatches on the method. Handlers of GET are
open reads: anyone may call them (limited per minute, counted in the shared cache so that a
read writes nothing to the database: core/cache_limits.py), from any origin (CORS `*`, and no
cookies are involved). Handlers of other methods are writes: they need an account (see
auth.writer) and get no CORS headers, so a browser never lets another site call them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from paperfeed.api.auth import AuthError, token_user, writer
from paperfeed.community.accounts.throttle import client_ip
from paperfeed.core.cache_limits import CacheLimit
from paperfeed.request_input import BadInput, parse_json

READ_METHODS = ("GET", "HEAD")
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Access-Control-Max-Age": "86400",
}


class ApiError(Exception):
    """Raised by a handler: answered as {"error": message} with the status."""

    def __init__(self, message: str, status: int = 400, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def error(message: str, status: int, headers: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def json_list(items: list) -> JsonResponse:
    return JsonResponse(items, safe=False, json_dumps_params={"ensure_ascii": False})


def json_object(item: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(item, status=status, json_dumps_params={"ensure_ascii": False})


def json_body(request) -> dict:
    """The request's JSON object, its text cleaned (request_input.parse_json); ApiError 400
    when it is not one, 413 when it is over DATA_UPLOAD_MAX_MEMORY_SIZE."""
    if request.content_type == "multipart/form-data":
        raise ApiError("The request body must be JSON (Content-Type: application/json).")
    try:
        raw = request.body
    except RequestDataTooBig:
        raise ApiError("Request body too large.", 413) from None
    if not raw.strip():
        return {}
    try:
        data = parse_json(raw)
    except BadInput as refusal:
        raise ApiError(str(refusal)) from None
    if not isinstance(data, dict):
        raise ApiError("The request body must be a JSON object.")
    return data


def read_limits() -> tuple[CacheLimit, CacheLimit]:
    # Read at call time so a changed setting (or a test's override) applies at once.
    return (
        CacheLimit("api-anon", settings.PAPERFEED_API_ANON_RATE, window=60),
        CacheLimit("api-token", settings.PAPERFEED_API_TOKEN_RATE, window=60),
    )


def _throttled(request) -> HttpResponse | None:
    anon, per_token = read_limits()
    user = token_user(request)
    limit, key = (per_token, user.pk) if user is not None else (anon, client_ip(request))
    if limit.count == 0:
        return None
    verdict = limit.hit(key)
    if verdict.allowed:
        return None
    return error("Too many requests; slow down or use an API token.", 429, {"Retry-After": str(verdict.retry_after)})


def _with_cors(response: HttpResponse) -> HttpResponse:
    for name, value in CORS_HEADERS.items():
        response[name] = value
    return response


def endpoint(**handlers):
    """A view from handlers by method: GET=read(request, **kw), POST=write(request, user, **kw)…"""
    allowed = sorted({*handlers, *(("HEAD", "OPTIONS") if "GET" in handlers else ())})

    @csrf_exempt  # writes check CSRF themselves for cookie sessions (auth.writer)
    def view(request, **kwargs):
        method = request.method
        is_read = method in READ_METHODS or method == "OPTIONS"
        try:
            if method == "OPTIONS":
                response = HttpResponse(status=204)
                response["Allow"] = ", ".join(allowed)
            elif method in READ_METHODS and "GET" in handlers:
                response = _throttled(request) or handlers["GET"](request, **kwargs)
            elif method in handlers and method not in READ_METHODS:
                response = handlers[method](request, writer(request), **kwargs)
            else:
                response = error(f"Method {method} not allowed.", 405, {"Allow": ", ".join(allowed)})
        except AuthError as exc:
            headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
            response = error(str(exc), exc.status, {**headers, **exc.headers})
        except ApiError as exc:
            response = error(str(exc), exc.status, exc.headers)
        except Http404 as exc:
            response = error(str(exc) or "Not found.", 404)
        response["Cache-Control"] = "no-store" if not is_read else response.get("Cache-Control", "no-cache")
        if is_read and "GET" in handlers:
            _with_cors(response)
        return response

    return view

