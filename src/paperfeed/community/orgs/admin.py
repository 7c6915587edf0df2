"""The Organization admin with its members inline.

papers/admin.py registers a plain OrganizationAdmin; this module replaces it with a subclass
that adds memberships. Importing papers.admin first makes the order of admin autodiscovery
(INSTALLED_APPS order: papers before orgs) not matter.
"""

from django.contrib import admin
from django.db.models import Count

from paperfeed.community.orgs.models import Membership
from paperfeed.papers import admin as papers_admin
from paperfeed.papers.models import Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    raw_id_fields = ("user",)
    readonly_fields = ("created_at",)


if admin.site.is_registered(Organization):
    admin.site.unregister(Organization)


@admin.register(Organization)
class OrganizationAdmin(papers_admin.OrganizationAdmin):
    list_display = ("name", "slug", "member_count")
    inlines = [*getattr(papers_admin.OrganizationAdmin, "inlines", []), MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description="members", ordering="member_count")
    def member_count(self, organization) -> int:
        return organization.member_count


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "organization__name", "organization__slug")
    raw_id_fields = ("user", "organization")
