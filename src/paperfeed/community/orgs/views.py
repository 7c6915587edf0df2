"""Organization pages: the list of organizations, and one organization's papers and members."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, render

from paperfeed.community.orgs.models import Membership
from paperfeed.papers.cards import prime_card_state
from paperfeed.papers.models import DailyEntry, Organization

ORGANIZATIONS_PER_PAGE = 60


def organization_list(request):
    organizations = Organization.objects.annotate(
        paper_count=Count("daily_entries__paper", distinct=True),
        member_count=Count("memberships", distinct=True),
    ).order_by("-paper_count", "name", "slug")
    page = Paginator(organizations, ORGANIZATIONS_PER_PAGE).get_page(request.GET.get("p"))
    return render(request, "orgs/list.html", {"page": page, "organizations": page.object_list})


def organization_detail(request, slug: str):
    organization = get_object_or_404(Organization, slug=slug)
    entries = (
        DailyEntry.objects.filter(organization=organization)
        .select_related("paper", "paper__primary_category", "organization", "submitter")
        .order_by("-date", "-upvotes", "paper__arxiv_id")
    )
    page = Paginator(entries, settings.PAGE_SIZE).get_page(request.GET.get("p"))
    # The cards' per-user state (voted, saved) in one query per kind, as on the daily lists.
    prime_card_state(request, [entry.paper_id for entry in page.object_list])
    members = (
        Membership.objects.filter(organization=organization, user__is_active=True)
        .select_related("user")
        # Admins first, then by name: role values sort "admin" < "member".
        .order_by("role", "user__username")
    )
    context = {
        "organization": organization,
        "page": page,
        "entries": page.object_list,
        "members": list(members),
        "paper_count": entries.values("paper").distinct().count(),
    }
    return render(request, "orgs/detail.html", context)
