"""The account forms: Django's auth forms with this site's rules added.

Rules beyond Django's:
- an e-mail address is required and unique without regard to case (also enforced by a
  database index, migration accounts/0001_initial), so it can serve as a second login name and as the one
  address a password reset goes to;
- a username may not contain "@", so a login name with "@" is always an e-mail address and
  nobody can register a username that shadows someone else's address.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.views.decorators.debug import sensitive_variables

from paperfeed.community.accounts.backends import check_current_password, find_login_user, throttled_for
from paperfeed.community.accounts.throttle import Throttled

User = get_user_model()

USERNAME_HELP = "Letters, digits and . + - _ only; up to 150 characters. It is shown on your profile and comments."
INVALID_LOGIN = "Wrong username or password."


def email_in_use(email: str, exclude_pk: int | None = None) -> bool:
    others = User.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


def check_username(username: str) -> None:
    """This site's extra username rule (Django's validator runs on the model field)."""
    if "@" in username:
        raise ValidationError("A username cannot contain “@”.", code="at_sign")


def about_minutes(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return f"about {minutes} minute{'s' if minutes != 1 else ''}"


def throttled_message(seconds: int) -> str:
    return f"Too many failed log-in attempts. Logging in is paused; try again in {about_minutes(seconds)}."


class ThrottledRefusal:
    """For forms calling authenticate(): when the log-in limits refused the attempt
    (backends.py), say so instead of "wrong password" — the password was not checked."""

    def get_invalid_login_error(self):
        wait = throttled_for(self.request)
        if wait:
            return ValidationError(throttled_message(wait), code="throttled")
        return super().get_invalid_login_error()


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        label="E-mail",
        max_length=254,
        help_text="For password resets only; never shown to others.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].help_text = USERNAME_HELP
        self.fields["username"].widget.attrs["autocomplete"] = "username"

    def clean_username(self):
        username = super().clean_username()
        if username:
            check_username(username)
        return username

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if email_in_use(email):
            raise ValidationError("An account with this e-mail address already exists.", code="email_taken")
        return email


class LoginForm(ThrottledRefusal, AuthenticationForm):
    """Log in with the username or the e-mail address, with one message for every refusal.

    The refusal never says whether the account exists or is suspended: "wrong username or
    password" covers an unknown name, a wrong password and a suspended account alike.
    """

    error_messages = {"invalid_login": INVALID_LOGIN, "inactive": INVALID_LOGIN}

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = "Username or e-mail"
        # An e-mail address can be longer than a username.
        username.max_length = 254
        username.widget.attrs.update(maxlength=254, autocomplete="username")

    @sensitive_variables()
    def clean(self):
        name = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if name is not None and password:
            account = find_login_user(name)
            # An unknown name still goes through authenticate(): it runs the password hasher
            # once, so the time taken does not tell which names exist.
            login_name = account.get_username() if account else name
            self.user_cache = authenticate(self.request, username=login_name, password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class AdminLoginForm(ThrottledRefusal, AdminAuthenticationForm):
    """/admin/login/: Django's admin form, whose authenticate() goes through the same log-in
    limits as /login; a refusal past them reads as such."""


class ResetRequestForm(PasswordResetForm):
    email = forms.EmailField(label="E-mail", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class EmailChangeForm(forms.Form):
    """A new e-mail address, confirmed with the current password: someone who finds a
    logged-in browser must not be able to redirect the account's password resets."""

    email = forms.EmailField(label="New e-mail", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label="Current password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, user, *args, request=None, **kwargs):
        self.user = user
        self.request = request
        self.throttled_for = 0
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if email_in_use(email, exclude_pk=self.user.pk):
            raise ValidationError("Another account uses this e-mail address.", code="email_taken")
        return email

    @sensitive_variables("password")
    def clean_password(self):
        password = self.cleaned_data["password"]
        confirm_current_password(self, password, "Your current password was entered incorrectly.")
        return password

    def save(self):
        self.user.email = self.cleaned_data["email"]
        self.user.save(update_fields=["email"])
        return self.user


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """Django's password change, its old-password check counted under the log-in limits."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        self.throttled_for = 0
        super().__init__(user, *args, **kwargs)

    @sensitive_variables("old_password")
    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        confirm_current_password(self, old_password, self.error_messages["password_incorrect"])
        return old_password


@sensitive_variables("password")
def confirm_current_password(form, password: str, wrong: str) -> None:
    """The current-password check of a settings form, through the log-in limits; past them
    the form's `throttled_for` says how long to wait (its page answers 429)."""
    try:
        right = check_current_password(form.request, form.user, password)
    except Throttled as refusal:
        form.throttled_for = refusal.retry_after
        message = f"Too many wrong passwords for this account; try again in {about_minutes(refusal.retry_after)}."
        raise ValidationError(message, code="throttled") from None
    if not right:
        raise ValidationError(wrong, code="password_incorrect")


def validate_new_user(username: str, email: str, password: str) -> list[str]:
    """Every problem with a user the CLI is asked to create, as readable sentences."""
    problems: list[str] = []
    try:
        if not username:
            raise ValidationError("a username is required")
        # The model field's validators: Django's character rule and the 150-character limit.
        User._meta.get_field("username").run_validators(username)
        check_username(username)
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(f"a user named {username!r} already exists")
    except ValidationError as exc:
        problems.extend(exc.messages)
    try:
        forms.EmailField(max_length=254).clean(email)
        if email_in_use(email):
            raise ValidationError(f"another account already uses {email!r}")
    except ValidationError as exc:
        problems.extend(f"e-mail: {message}" for message in exc.messages)
    try:
        password_validation.validate_password(password, User(username=username, email=email))
    except ValidationError as exc:
        problems.extend(f"password: {message}" for message in exc.messages)
    return problems
