"""Reviewing authorship claims: pending first, approve or deny in bulk, a note on the change form."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from paperfeed.community.claims.models import AuthorshipClaim

Status = AuthorshipClaim.Status


@admin.register(AuthorshipClaim)
class AuthorshipClaimAdmin(admin.ModelAdmin):
    list_display = ("paper", "user", "author", "status", "created_at", "reviewed_by", "reviewed_at")
    list_filter = ("status", "created_at")
    list_select_related = ("paper", "user", "author", "reviewed_by")
    search_fields = ("paper__arxiv_id", "paper__title", "user__username", "author__name")
    # Pending claims first (the moderator's queue), newest first within each status.
    ordering = (
        Case(When(status=Status.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()).asc(),
        "-created_at",
    )
    fields = ("paper", "user", "author", "message", "created_at", "status", "review_note", "reviewed_by", "reviewed_at")
    readonly_fields = ("paper", "user", "author", "message", "created_at", "reviewed_by", "reviewed_at")
    actions = ("approve", "deny")

    def has_add_permission(self, request) -> bool:
        return False  # claims come from users on the paper page

    @admin.action(description="Approve selected claims", permissions=["change"])
    def approve(self, request, queryset):
        # Only pending claims: approving an old denied claim could give two open ones.
        changed = queryset.filter(status=Status.PENDING).update(
            status=Status.APPROVED, reviewed_by=request.user, reviewed_at=timezone.now()
        )
        self.message_user(request, f"Approved {changed} claim{'s' if changed != 1 else ''}.", messages.SUCCESS)

    @admin.action(description="Deny selected claims", permissions=["change"])
    def deny(self, request, queryset):
        changed = queryset.exclude(status=Status.DENIED).update(
            status=Status.DENIED, reviewed_by=request.user, reviewed_at=timezone.now()
        )
        self.message_user(
            request,
            f"Denied {changed} claim{'s' if changed != 1 else ''}. Open a claim to add a note the user will see.",
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            obj.reviewed_by = request.user
            obj.reviewed_at = timezone.now()
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        claim = obj

        class ReviewForm(form):
            def clean(self):
                cleaned = super().clean()
                status = cleaned.get("status")
                if claim is not None and status in (Status.PENDING, Status.APPROVED):
                    others = AuthorshipClaim.objects.filter(
                        paper_id=claim.paper_id, user_id=claim.user_id, status__in=[Status.PENDING, Status.APPROVED]
                    ).exclude(pk=claim.pk)
                    if others.exists():
                        self.add_error("status", "This user has another open claim on this paper; review that one instead.")
                return cleaned

        return form if claim is None else ReviewForm
