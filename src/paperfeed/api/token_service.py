"""Making and revoking API tokens: the rules the settings page and `paperfeed token` share."""

from __future__ import annotations

from paperfeed.api.models import ApiToken

# Enough for every script and device one person has; stops a loop from filling the table.
MAX_ACTIVE_TOKENS = 50
MAX_NAME_LENGTH = 100


class TokenRefused(Exception):
    """The token cannot be made; the message says why, for a person to read."""


def issue(user, name: str) -> tuple[ApiToken, str]:
    """A new token of the user's and its secret (shown once, never stored)."""
    name = name.strip()
    if not name:
        raise TokenRefused("Give the token a name, e.g. the script or machine that will use it.")
    if len(name) > MAX_NAME_LENGTH:
        raise TokenRefused(f"A token's name is at most {MAX_NAME_LENGTH} characters.")
    if ApiToken.objects.filter(user=user, revoked_at=None).count() >= MAX_ACTIVE_TOKENS:
        raise TokenRefused(f"You have {MAX_ACTIVE_TOKENS} active tokens; revoke one first.")
    return ApiToken.issue(user, name)
