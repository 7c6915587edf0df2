"""Signed tokens in digest links: unsubscribe (never expires) and confirm (a week).

Both are signed with the instance's secret key; a token names one subscription and cannot be
forged or moved to another. Unsubscribe tokens do not expire because old e-mails must keep
working (RFC 8058 asks that the link keep working for a while; we choose always).
"""

from __future__ import annotations

from django.core import signing

_UNSUBSCRIBE = "paperfeed.digests.unsubscribe"
_CONFIRM = "paperfeed.digests.confirm"
CONFIRM_MAX_AGE = 7 * 24 * 3600


def unsubscribe_token(subscription_id: int) -> str:
    return signing.Signer(salt=_UNSUBSCRIBE).sign(str(subscription_id))


def confirm_token(subscription_id: int) -> str:
    return signing.TimestampSigner(salt=_CONFIRM).sign(str(subscription_id))


def read_unsubscribe_token(token: str) -> int | None:
    try:
        return int(signing.Signer(salt=_UNSUBSCRIBE).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def read_confirm_token(token: str) -> int | None:
    """The subscription id, or None when the token is forged or older than a week."""
    try:
        return int(signing.TimestampSigner(salt=_CONFIRM).unsign(token, max_age=CONFIRM_MAX_AGE))
    except (signing.BadSignature, ValueError):
        return None
