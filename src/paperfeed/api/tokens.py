"""Creating and revoking API tokens from the account settings page (session + CSRF forms).

The secret is shown once, in the answer to the form that created it, and never stored:
the page is marked no-store so it does not stay in the browser's cache either.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from paperfeed.api.models import ApiToken
from paperfeed.api.token_service import MAX_NAME_LENGTH, TokenRefused, issue


@never_cache
@login_required
@require_POST
def create_token(request):
    # The form's field holds at most MAX_NAME_LENGTH characters; a longer post is cut, as before.
    try:
        token, secret = issue(request.user, request.POST.get("name", "").strip()[:MAX_NAME_LENGTH])
    except TokenRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(reverse("account-settings") + "#api-tokens")
    return render(request, "api/token_created.html", {"token": token, "secret": secret}, status=201)


@login_required
@require_POST
def revoke_token(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token.revoke()
    messages.success(request, f"The token “{token.name}” ({token.prefix}…) is revoked.")
    response = redirect(reverse("account-settings") + "#api-tokens")
    response.status_code = 303
    return response
