"""/users/<username> (a member's activity, one tab at a time) and /settings/account."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from paperfeed.community.accounts.forms import EmailChangeForm, ThrottledPasswordChangeForm
from paperfeed.community.accounts.views import see_other, too_many
from paperfeed.community.claims.state import authored_papers
from paperfeed.community.collections.models import Collection
from paperfeed.community.discussion.models import Comment
from paperfeed.community.orgs.models import Membership
from paperfeed.community.votes.models import Vote
from paperfeed.papers.models import DailyEntry

PER_PAGE = 30


@dataclass(frozen=True)
class Tab:
    slug: str
    label: str


TABS = (
    Tab("upvotes", "Upvoted"),
    Tab("submissions", "Submitted"),
    Tab("papers", "Authored"),
    Tab("comments", "Comments"),
    Tab("collections", "Collections"),
    Tab("organizations", "Organizations"),
)


def tab_items(slug: str, member, viewer) -> QuerySet:
    """The rows of one tab, newest first; what a visitor may see of them."""
    if slug == "upvotes":
        return (
            Vote.objects.filter(user=member)
            .select_related("paper", "paper__primary_category")
            .order_by("-created_at", "-id")
        )
    if slug == "submissions":
        return (
            DailyEntry.objects.filter(submitter=member)
            .select_related("paper", "paper__primary_category", "organization", "submitter")
            .order_by("-date", "-added_at", "-id")
        )
    if slug == "papers":
        # Papers a moderator approved the member's authorship claim of (the "Author" badge).
        return authored_papers(member).select_related("primary_category")
    if slug == "comments":
        # Hidden (by a moderator) and deleted comments are not shown, not even to their author.
        return (
            Comment.objects.filter(author=member, deleted=False, hidden=False)
            .select_related("paper")
            .order_by("-created_at", "-id")
        )
    if slug == "collections":
        collections = Collection.objects.filter(owner=member)
        if viewer != member:
            collections = collections.filter(public=True)
        return collections.annotate(paper_count=Count("items")).order_by("-updated_at", "-id")
    return Membership.objects.filter(user=member).select_related("organization").order_by("organization__name")


@require_http_methods(["GET", "HEAD"])
def profile(request, username: str):
    # Suspended members have no public page.
    member = get_object_or_404(get_user_model(), username=username, is_active=True)
    viewer = request.user if request.user.is_authenticated else None
    active = request.GET.get("tab", TABS[0].slug)
    if active not in {tab.slug for tab in TABS}:
        active = TABS[0].slug
    counts = {tab.slug: tab_items(tab.slug, member, viewer).count() for tab in TABS}
    page = Paginator(tab_items(active, member, viewer), PER_PAGE).get_page(request.GET.get("p"))
    context = {
        "member": member,
        "is_self": viewer == member,
        "tabs": [(tab, counts[tab.slug]) for tab in TABS],
        "active": active,
        "page": page,
        "items": page.object_list,
    }
    return render(request, "accounts/profile.html", context)


@never_cache
@login_required
@sensitive_post_parameters("password", "old_password", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def account_settings(request):
    """Change the e-mail address or the password; each form says which it is in `form`."""
    email_form = EmailChangeForm(request.user)
    password_form = ThrottledPasswordChangeForm(request.user)
    which = request.POST.get("form")
    if request.method == "POST" and which == "email":
        email_form = EmailChangeForm(request.user, request.POST, request=request)
        if email_form.is_valid():
            email_form.save()
            messages.success(request, "Your e-mail address was changed.")
            return see_other(reverse("account-settings"))
    elif request.method == "POST" and which == "password":
        password_form = ThrottledPasswordChangeForm(request.user, request.POST, request=request)
        if password_form.is_valid():
            user = password_form.save()
            # The password change logs out every other session; keep this one.
            update_session_auth_hash(request, user)
            messages.success(request, "Your password was changed.")
            return see_other(reverse("account-settings"))
    # Django's form focuses "old password"; on a page of two forms, focus nothing.
    password_form.fields["old_password"].widget.attrs.pop("autofocus", None)
    status = 400 if request.method == "POST" else 200
    response = render(
        request, "accounts/settings.html", {"email_form": email_form, "password_form": password_form}, status=status
    )
    wait = max(email_form.throttled_for, password_form.throttled_for)
    return too_many(response, wait) if wait else response
