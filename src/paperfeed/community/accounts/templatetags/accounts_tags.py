"""Template helpers of the account pages and the header's user menu."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()

# Pages after which returning "next" makes no sense (the user would land on a form again).
_NO_RETURN = {"login", "logout", "signup", "password_reset", "password_reset_done", "password_reset_confirm",
              "password_reset_complete"}


@register.simple_tag
def signup_open() -> bool:
    return settings.PAPERFEED_SIGNUP_OPEN


@register.simple_tag(takes_context=True)
def return_path(context) -> str:
    """Where "Log in" should bring the reader back to: the current page, unless it is an
    account page itself."""
    request = context.get("request")
    if request is None or request.method != "GET":
        return ""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name in _NO_RETURN:
        return ""
    return request.get_full_path()
