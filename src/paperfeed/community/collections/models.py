"""Collections: named lists of papers, public or private."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Collection(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="paper_collections")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    description = models.TextField(blank=True, max_length=2000)
    public = models.BooleanField(default=False)
    papers = models.ManyToManyField("papers.Paper", through="CollectionItem", related_name="in_collections")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["owner", "slug"], name="collection_unique_slug_per_owner")]

    def __str__(self) -> str:
        return f"{self.owner}/{self.slug}"


NOTE_LENGTH = 500


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="collection_items")
    added_at = models.DateTimeField(auto_now_add=True)
    # Hugging Face's item fields: the order the owner chose (new items go last) and a note
    # in plain text (at most NOTE_LENGTH characters, as on Hugging Face).
    position = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=NOTE_LENGTH, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["collection", "paper"], name="collection_item_once")]
