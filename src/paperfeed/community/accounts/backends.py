"""The one gate in front of every password check: Django's ModelBackend behind the log-in limits.

Every form that logs someone in calls django.contrib.auth.authenticate(): /login (LoginForm),
/admin/login/ (the admin's AuthenticationForm), and whatever is added later. Throttling here,
rather than in each view, means no way in can be left out. The forms where a logged-in user
confirms their current password (e-mail and password change) call `check_current_password`,
which counts under the same limits: a stolen session must not be a way to guess the password
(and, through the e-mail change, take the account over).

Before the password is checked, one failed attempt is reserved per account and per client
address (throttle.reserve: check and count in one transaction, so concurrent guesses cannot
overshoot a limit); a right password takes the reservation back and forgets the account's
failures. Past a limit, the password is not checked at all: authenticate() returns None,
and `throttled_for(request)` tells the page how long to wait, so it can answer 429 instead
of "wrong password" (the right password gets the same answer as a wrong one).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from paperfeed.community.accounts import limits
from paperfeed.community.accounts.throttle import Throttled, release, reserve

# Its path in AUTHENTICATION_BACKENDS (settings.py), for login() calls that name a backend.
BACKEND = "paperfeed.community.accounts.backends.ThrottledModelBackend"

# Where the wait is left on the request for the view that renders the refusal.
_WAIT_ATTRIBUTE = "paperfeed_login_throttled_for"


def find_login_user(name: str):
    """The account a login name means: the username, or else the e-mail address."""
    User = get_user_model()
    if not name:
        return None
    user = User.objects.filter(username=name).first()
    if user is None and "@" in name:
        user = User.objects.filter(email__iexact=name).first()
    return user


def throttled_for(request) -> int:
    """Seconds the log-in refused during this request must wait; 0 when none was refused."""
    return getattr(request, _WAIT_ATTRIBUTE, 0)


def check_current_password(request, user, password: str) -> bool:
    """Whether `password` is `user`'s, checked through the log-in limits (counted as a
    failure when wrong, like a log-in). Raises Throttled past a limit, without checking."""
    checks = limits.login_checks(request, user, "")
    reservation = reserve(checks)
    if not user.check_password(password):
        return False
    release(reservation)
    limits.login_failures_per_account().clear(limits.login_account_key(user, ""))
    return True


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        account = find_login_user(username)
        checks = limits.login_checks(request, account, username)
        try:
            reservation = reserve(checks)
        except Throttled as refusal:
            if request is not None:
                setattr(request, _WAIT_ATTRIBUTE, refusal.retry_after)
            # PermissionDenied makes authenticate() stop here, without asking another backend.
            raise PermissionDenied from None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            release(reservation)
            # Not the address's failures: one valid account must not reset an attacker's count.
            limits.login_failures_per_account().clear(limits.login_account_key(user, username))
        return user
