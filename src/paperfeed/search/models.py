"""What the search stage stores beside the papers: their embeddings."""

from django.db import models

from paperfeed.papers.models import Paper


class PaperVector(models.Model):
    """A paper's embedding under one model, with a digest of the text it was made from.

    `paperfeed index` embeds a paper again only when its title or abstract changed (the
    digest differs) or the configured model is another one.
    """

    paper = models.OneToOneField(Paper, on_delete=models.CASCADE, primary_key=True, related_name="vector")
    model = models.CharField(max_length=200)
    digest = models.CharField(max_length=32)  # blake2b of the embedded text, hex
    vector = models.BinaryField()  # float16, little-endian: 768 bytes for 384 dimensions
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.paper_id} ({self.model})"
