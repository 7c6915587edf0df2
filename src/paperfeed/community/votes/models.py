"""Upvotes: one per user per paper, enforced by the database."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Vote(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes")
    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="vote_one_per_user_per_paper")]
        indexes = [models.Index(fields=["paper", "created_at"], name="vote_paper_time")]

    def __str__(self) -> str:
        return f"{self.user} ▲ {self.paper.arxiv_id}"
