"""Who is calling: a paperfeed token (`Authorization: Bearer pf_…`), or a browser session.

A token request carries its credential in a header a browser never adds by itself, so it
cannot be forged cross-site and needs no CSRF token. A cookie session can, so a session
request to a write endpoint passes Django's CSRF check exactly as a form post does.

Unknown or revoked paperfeed tokens are counted per client address (limits.token_failures_per_ip);
past the limit every token request from that address is refused with 429 before its token
is looked up, a right one included, as the log-in form does for passwords. Unlike a password,
a token is 256 random bits checked with one SHA-256, so guessing is hopeless and checking is
cheap: the limit stops noise and keeps a guessing client from being told anything, and a
plain check-then-count (which concurrent requests may overshoot by their number) is enough —
no reservation write on every valid token request.
"""

from __future__ import annotations

from datetime import timedelta

from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone

from paperfeed.api.models import TOKEN_MARK, ApiToken, hash_token
from paperfeed.community.accounts import limits
from paperfeed.community.accounts.throttle import client_ip

# last_used_at is a hint for the owner, not an audit log: writing it at most once a minute
# keeps a busy script from turning every read into a write.
_TOUCH_EVERY = timedelta(minutes=1)


class AuthError(Exception):
    """A credential was given and is wrong: 401, 403 for a failed CSRF check, 429 (with
    Retry-After in `headers`) after too many wrong tokens."""

    def __init__(self, message: str, status: int = 401, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def bearer(request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def token_user(request):
    """The account of a paperfeed token in the request, None without one.

    Tokens that are not paperfeed's (a Hugging Face client sends its saved `hf_…` token to
    any endpoint) are ignored, so reads work for such clients unchanged; a paperfeed token
    that is unknown or revoked is an error, never silently anonymous.
    """
    secret = bearer(request)
    if secret is None or not secret.startswith(TOKEN_MARK):
        return None
    failures, address = limits.token_failures_per_ip(), client_ip(request)
    if failures.exceeded(address):
        wait = failures.retry_after(address)
        raise AuthError(
            "Too many requests with invalid tokens from this address; try again later.", 429, {"Retry-After": str(wait)}
        )
    token = ApiToken.objects.select_related("user").filter(hashed_secret=hash_token(secret)).first()
    if token is None or token.revoked_at is not None:
        failures.hit(address)
        raise AuthError("Invalid or revoked token.")
    if not token.user.is_active:
        raise AuthError("This account is suspended.")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    request.api_token = token
    return token.user


def _csrf_failure(request) -> str | None:
    check = CsrfViewMiddleware(lambda r: None)
    check.process_request(request)
    rejected = check.process_view(request, None, (), {})
    return None if rejected is None else "CSRF check failed: send the CSRF token, or use an API token."


def writer(request):
    """The account a write acts for; AuthError when there is none or its request is unsafe."""
    user = token_user(request)
    if user is not None:
        return user
    if bearer(request) is not None:
        raise AuthError("Not a paperfeed token: create one on your account settings page.")
    session_user = getattr(request, "user", None)
    if session_user is not None and session_user.is_authenticated:
        failure = _csrf_failure(request)
        if failure:
            raise AuthError(failure, status=403)
        return session_user
    raise AuthError("Authentication required: send `Authorization: Bearer <token>`.")
