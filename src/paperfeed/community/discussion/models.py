"""Comments and replies on paper pages."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Comment(models.Model):
    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="discussion")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField()  # Markdown as written
    # The body rendered and sanitised once at write time, so pages never render Markdown.
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Deleted by its author: kept as "[deleted]" while replies hang off it.
    deleted = models.BooleanField(default=False)
    # Hidden by a moderator.
    hidden = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["paper", "created_at"], name="comment_paper_time")]

    def __str__(self) -> str:
        return f"{self.author} on {self.paper.arxiv_id}: {self.body[:40]}"

    @property
    def visible(self) -> bool:
        return not (self.deleted or self.hidden)
