"""The site's error handlers (handler400/403/404/500 in paperfeed/urls.py): under /api/ the
answer is JSON like every other API answer, elsewhere Django's own error pages.

The API's views answer their errors themselves (http.endpoint); these catch what happens
before or outside them — a Host header Django refuses, an unexpected exception."""

from __future__ import annotations

from django.views import defaults

from paperfeed.api.http import error

API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX) or request.path == API_PREFIX.rstrip("/")


def bad_request(request, exception):
    return error("Bad request.", 400) if _is_api(request) else defaults.bad_request(request, exception)


def permission_denied(request, exception):
    return error("Forbidden.", 403) if _is_api(request) else defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    return error("Not found.", 404) if _is_api(request) else defaults.page_not_found(request, exception)


def server_error(request):
    return error("Internal server error.", 500) if _is_api(request) else defaults.server_error(request)
