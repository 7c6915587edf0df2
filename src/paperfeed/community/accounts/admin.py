"""Moderation in the admin: suspending users, and seeing who is being throttled.

Suspending is Django's own `is_active = False`: the user cannot log in, existing sessions
stop working at the next request (the auth backend refuses inactive users), the profile
page answers 404, and no password-reset mail is sent to them.
"""

from __future__ import annotations

import functools

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from paperfeed.community.accounts.backends import throttled_for
from paperfeed.community.accounts.forms import AdminLoginForm
from paperfeed.community.accounts.models import Attempt

User = get_user_model()


def _too_many_when_throttled(login_view):
    """The admin's log-in view, answering 429 with Retry-After (like /login) when the log-in
    limits refused the attempt. The form says why (forms.AdminLoginForm)."""

    @functools.wraps(login_view)
    def view(request, extra_context=None):
        response = login_view(request, extra_context)
        wait = throttled_for(request)
        if wait:
            response.status_code = 429
            response["Retry-After"] = str(wait)
        return response

    return view


# The admin's password checks go through the same backend and limits as /login
# (backends.py); these two lines only shape the refusal it shows.
admin.site.login_form = AdminLoginForm
admin.site.login = _too_many_when_throttled(admin.site.login)


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    """Rate-limit counters, read-only. Deleting a key's rows lifts its block early."""

    list_display = ("scope", "key", "at")
    list_filter = ("scope",)
    search_fields = ("key",)
    date_hierarchy = "at"
    ordering = ("-at",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class ModeratedUserAdmin(UserAdmin):
    list_display = ("username", "email", "date_joined", "last_login", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups")
    actions = ["suspend_users", "reactivate_users"]

    @admin.action(description="Suspend selected users", permissions=["change"])
    def suspend_users(self, request, queryset):
        # Locking oneself out by mistake would need a shell to undo.
        count = queryset.filter(is_active=True).exclude(pk=request.user.pk).update(is_active=False)
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(request, "You cannot suspend your own account.", messages.WARNING)
        self.message_user(request, f"Suspended {count} user{'s' if count != 1 else ''}.", messages.SUCCESS)

    @admin.action(description="Reactivate selected users", permissions=["change"])
    def reactivate_users(self, request, queryset):
        count = queryset.filter(is_active=False).update(is_active=True)
        self.message_user(request, f"Reactivated {count} user{'s' if count != 1 else ''}.", messages.SUCCESS)
