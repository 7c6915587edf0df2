"""Comment moderation: find, hide and unhide comments, keeping Paper.comment_count exact.

`hidden` and `deleted` are read-only in the form: they change only through the actions (and
the author's delete), which adjust the paper's counter in the same transaction.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.utils.text import Truncator

from paperfeed.community.discussion import services
from paperfeed.community.discussion.markdown import render_markdown
from paperfeed.community.discussion.models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("id", "excerpt", "author", "paper_id_link", "created_at", "hidden", "deleted")
    list_filter = ("hidden", "deleted", "created_at")
    search_fields = ("body", "author__username", "paper__arxiv_id", "paper__title")
    list_select_related = ("author", "paper")
    raw_id_fields = ("paper", "author", "parent")
    readonly_fields = ("paper", "author", "parent", "body_html", "created_at", "edited_at", "hidden", "deleted")
    fields = ("paper", "author", "parent", "body", "body_html", "created_at", "edited_at", "hidden", "deleted")
    date_hierarchy = "created_at"
    actions = ["hide_comments", "unhide_comments"]

    @admin.display(description="Comment")
    def excerpt(self, comment: Comment) -> str:
        return Truncator(comment.body).chars(80) or "—"

    @admin.display(description="Paper", ordering="paper__arxiv_id")
    def paper_id_link(self, comment: Comment) -> str:
        return comment.paper.arxiv_id

    @admin.action(description="Hide selected comments")
    def hide_comments(self, request, queryset):
        changed = services.set_hidden(queryset, hidden=True)
        self.message_user(request, f"Hid {changed} comment{'s' if changed != 1 else ''}.", messages.SUCCESS)

    @admin.action(description="Unhide selected comments")
    def unhide_comments(self, request, queryset):
        changed = services.set_hidden(queryset, hidden=False)
        self.message_user(request, f"Unhid {changed} comment{'s' if changed != 1 else ''}.", messages.SUCCESS)

    def has_add_permission(self, request) -> bool:
        return False  # comments are written on paper pages, by their authors

    def save_model(self, request, obj, form, change):
        # A moderator may redact the text; the HTML is re-rendered like any edit.
        obj.body_html = render_markdown(obj.body)
        super().save_model(request, obj, form, change)

    # Deleting rows (and the replies that cascade with them) recounts the papers concerned.
    def delete_model(self, request, obj):
        with transaction.atomic():
            super().delete_model(request, obj)
            services.recount([obj.paper_id])

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            paper_ids = set(queryset.values_list("paper_id", flat=True))
            super().delete_queryset(request, queryset)
            services.recount(paper_ids)
