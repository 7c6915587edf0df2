"""How a mutation answers: htmx gets the re-rendered fragment, a plain form a 303 back.

Shared by every community view that changes something (votes, comments, collections, claims,
submissions, accounts): an anonymous user, a rate limit, a safe `next`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def safe_next(request, value: str | None, fallback: str) -> str:
    """`value` when it is a URL of this site (relative, or our host and scheme), else fallback."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return fallback


def current_page(request, fallback: str) -> str:
    """The page the user is on: the posted `next`, else htmx's HX-Current-URL, as a path."""
    posted = request.POST.get("next") if request.method == "POST" else request.GET.get("next")
    if posted:
        return safe_next(request, posted, fallback)
    current = request.headers.get("HX-Current-URL")
    if current and safe_next(request, current, ""):
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return fallback


class SeeOther(HttpResponseRedirect):
    status_code = 303


def back(request, fallback: str) -> HttpResponse:
    """After a form post without JS: 303 to the page it came from (a GET that can be reloaded)."""
    return SeeOther(current_page(request, fallback))


def login_required_response(request, fallback: str) -> HttpResponse:
    """An anonymous mutation: the login page, coming back to where the user was.

    htmx cannot follow a redirect into a full page inside a fragment, so it gets 401 and an
    HX-Redirect header, which htmx turns into a full-page navigation.
    """
    target = redirect_to_login(current_page(request, fallback))
    if is_htmx(request):
        response = HttpResponse("Log in to do that.", status=401, content_type="text/plain; charset=utf-8")
        response["HX-Redirect"] = target["Location"]
        return response
    return target


def too_many(retry_after: int) -> HttpResponse:
    response = HttpResponse(
        "Too many requests; try again shortly.",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(retry_after)
    return response
