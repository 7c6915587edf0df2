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

# Enough for every script and device one person has; stops a loop from filling the table.
MAX_ACTIVE_TOKENS = 50


@never_cache
@login_required
@require_POST
def create_token(request):
    name = request.POST.get("name", "").strip()[:100]
    if not name:
        messages.error(request, "Give the token a name, e.g. the script or machine that will use it.")
        return redirect(reverse("account-settings") + "#api-tokens")
    if ApiToken.objects.filter(user=request.user, revoked_at=None).count() >= MAX_ACTIVE_TOKENS:
        messages.error(request, f"You have {MAX_ACTIVE_TOKENS} active tokens; revoke one first.")
        return redirect(reverse("account-settings") + "#api-tokens")
    token, secret = ApiToken.issue(request.user, name)
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
