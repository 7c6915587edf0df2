"""The rate limits of the account pages (counted in accounts.Attempt, see throttle.py).

Login limits count FAILED attempts only, per account and per client address (reserved
before the password is checked, released when it is right: see backends.py); sign-ups and
password-reset requests count every well-formed request; API token limits count unknown or
revoked tokens per client address. Limits set in the settings are read at call time, so a
changed setting (or a test's override) applies at once.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from paperfeed.community.accounts.throttle import Limit, client_ip

LOGIN_WINDOW = timedelta(minutes=15)

# A household or an office shares one address; ten new accounts an hour is plenty for it and
# little for a script creating accounts in bulk.
SIGNUPS_PER_IP = Limit("signup-ip", count=10, window=timedelta(hours=1))
# Each reset request sends a mail: cap what one address can make the site send, and what one
# client can make it send to many addresses.
RESETS_PER_IP = Limit("reset-ip", count=10, window=timedelta(hours=1))
RESETS_PER_EMAIL = Limit("reset-email", count=3, window=timedelta(hours=1))


def login_failures_per_account() -> Limit:
    return Limit("login-user", settings.PAPERFEED_LOGIN_FAILURES_PER_ACCOUNT, LOGIN_WINDOW)


def login_failures_per_ip() -> Limit:
    return Limit("login-ip", settings.PAPERFEED_LOGIN_FAILURES_PER_IP, LOGIN_WINDOW)


def token_failures_per_ip() -> Limit:
    return Limit("token-ip", settings.PAPERFEED_TOKEN_FAILURES_PER_IP, LOGIN_WINDOW)


def login_checks(request, account, typed_name: str) -> list[tuple[Limit, str]]:
    """The (limit, key) pairs one password check counts under: the account always, the
    client's address when there is a request (authenticate() called without one, from code,
    is not a way in from the network)."""
    checks = [(login_failures_per_account(), login_account_key(account, typed_name))]
    if request is not None:
        checks.insert(0, (login_failures_per_ip(), client_ip(request)))
    return checks


def login_account_key(account, typed_name: str) -> str:
    """What the per-account counter is keyed by.

    An existing account is one key whichever of its names (username or e-mail) is typed, so
    switching between them gains an attacker nothing; an unknown name is counted under the
    name itself, so the page behaves the same for accounts that exist and those that do not.
    """
    if account is not None:
        return f"user:{account.pk}"
    return f"name:{typed_name.strip().lower()}"
