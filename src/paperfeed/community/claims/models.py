"""Authorship claims: a user says "I wrote this paper"; a moderator reviews it in the admin."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuthorshipClaim(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        DENIED = "denied"

    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="claims")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claims")
    # Which name on the byline is theirs, when they say.
    author = models.ForeignKey("papers.Author", null=True, blank=True, on_delete=models.SET_NULL, related_name="claims")
    message = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open claim per user and paper; a denied claim can be made again (the dead
            # end Hugging Face users run into), an approved one need not be.
            models.UniqueConstraint(
                fields=["paper", "user"],
                condition=models.Q(status__in=["pending", "approved"]),
                name="claim_one_open_per_user_per_paper",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} claims {self.paper.arxiv_id} ({self.status})"
