"""Sign up, log in, log out: Django's auth with throttling and safe redirects."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.db import IntegrityError, transaction
from django.shortcuts import render, resolve_url
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from paperfeed.community import http as responses
from paperfeed.community.accounts import limits
from paperfeed.community.accounts.backends import BACKEND, throttled_for
from paperfeed.community.accounts.forms import LoginForm, SignupForm
from paperfeed.community.accounts.throttle import client_ip


def safe_next(request) -> str:
    """The `next` of the form or query string when it stays on this site, else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return responses.safe_next(request, target, "")


def see_other(url: str):
    """303: the browser follows with a GET, so a reload does not post again. `url` is a URL
    (never a view name: redirect() would try to reverse a `next` such as "2026-01-01")."""
    return responses.SeeOther(url)


def too_many(response, seconds: int):
    response.status_code = 429
    response["Retry-After"] = str(seconds)
    return response


class Login(auth_views.LoginView):
    """/login: the standard `username` and `password` fields; the username field also takes
    the account's e-mail address.

    Failed attempts are counted per account and per client address by the authentication
    backend (backends.py), the same gate /admin/login/ goes through. Past either limit the
    password is not checked and the form answers 429 with Retry-After, so a right guess
    during a lock-out is not confirmed either.
    """

    form_class = LoginForm
    template_name = "accounts/login.html"

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            return self.form_valid(form)
        wait = throttled_for(request)
        if wait:
            # The refusal is the page's notice; the form is shown afresh, without "wrong password".
            fresh = self.form_class(request, initial={"username": request.POST.get("username", "")[:254]})
            context = self.get_context_data(form=fresh, throttled_minutes=-(-wait // 60))
            return too_many(self.render_to_response(context), wait)
        return self.form_invalid(form)

    def form_valid(self, form):
        login(self.request, form.get_user())
        return see_other(self.get_success_url())


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request):
    next_url = safe_next(request)
    if not settings.PAPERFEED_SIGNUP_OPEN:
        return render(request, "accounts/signup_closed.html", status=403)
    if request.user.is_authenticated:
        return see_other(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        if not limits.SIGNUPS_PER_IP.allow(ip):
            response = render(request, "accounts/signup.html", {"form": form, "next": next_url, "throttled": True})
            return too_many(response, limits.SIGNUPS_PER_IP.retry_after(ip))
        try:
            with transaction.atomic():
                user = form.save()
        except IntegrityError:
            # Someone took the name or address between validation and insert.
            form.add_error(None, "That username or e-mail address was just taken. Please choose another.")
        else:
            login(request, user, backend=BACKEND)
            return see_other(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/signup.html", {"form": form, "next": next_url}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def logout_view(request):
    """POST logs out; GET (a bookmarked or typed /logout) only asks, with a POST button."""
    next_url = safe_next(request)
    if request.method == "POST":
        logout(request)
        return see_other(next_url or resolve_url(settings.LOGOUT_REDIRECT_URL))
    return render(request, "accounts/logout.html", {"next": next_url})
