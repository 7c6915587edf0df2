"""Creating and revoking API tokens from the account settings page (session + CSRF forms).

The secret is shown once, in the answer to the form that created it, and never stored:
the page is marked no-store so it does not stay in the browser's cache either.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from paperfeed.api.http import error
from paperfeed.api.models import ApiToken
from paperfeed.api.token_service import MAX_NAME_LENGTH, TokenRefused, issue


def post_only(view):
    """The forms post here; any other method gets the API's JSON 405 (these live under /api/)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "POST":
            return error(f"Method {request.method} not allowed.", 405, {"Allow": "POST"})
        return view(request, *args, **kwargs)

    return wrapped


@post_only
@never_cache
@login_required
def create_token(request):
    # The form's field holds at most MAX_NAME_LENGTH characters; a longer post is cut, as before.
    try:
        token, secret = issue(request.user, request.POST.get("name", "").strip()[:MAX_NAME_LENGTH])
    except TokenRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(reverse("account-settings") + "#api-tokens")
    return render(request, "api/token_created.html", {"token": token, "secret": secret}, status=201)


@post_only
@login_required
def revoke_token(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token.revoke()
    messages.success(request, f"The token “{token.name}” ({token.prefix}…) is revoked.")
    response = redirect(reverse("account-settings") + "#api-tokens")
    response.status_code = 303
    return response
