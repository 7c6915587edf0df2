"""What the search stage stores beside the papers: their embeddings, and the impact lists of common words."""

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


class TermImpactBuild(models.Model):
    """One build (generation) of the impact lists of search.impact, written by `paperfeed
    index` beside the current one and switched to in one short transaction (search.impact_build)."""

    class State(models.TextChoices):
        BUILDING = "building"
        CURRENT = "current"
        RETIRED = "retired"

    generation = models.IntegerField(primary_key=True)
    state = models.CharField(max_length=8, choices=State.choices)
    built_max_rowid = models.BigIntegerField()  # the largest paper id the build saw
    papers = models.BigIntegerField()
    # The collection statistic rare words are scored with at search time on PostgreSQL, so
    # that rare and common words add up to one BM25; 0 on SQLite, where FTS5 keeps its own.
    average_length = models.FloatField(default=0)
    threshold = models.IntegerField()
    list_length = models.IntegerField()
    fingerprint = models.CharField(max_length=64)  # of what the lists depend on (the engine's)
    terms = models.IntegerField(default=0)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "search_term_impact_build"
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=["building", "current", "retired"]),
                                   name="search_term_impact_build_state"),
            # At most one current build: the switch in search.impact_build relies on it.
            models.UniqueConstraint(fields=["state"], condition=models.Q(state="current"),
                                    name="search_term_impact_build_current"),
        ]


class TermImpact(models.Model):
    """A common term's list in one build: every paper holding it (ids, ascending uint32) and
    its BM25 contribution (impacts, uint16 multiples of `scale`); its best papers are those
    with an impact of at least `best_impact` (search.impact)."""

    generation = models.IntegerField()
    term = models.TextField()
    papers = models.IntegerField()
    scale = models.FloatField()
    best_impact = models.IntegerField()
    ids = models.BinaryField()
    impacts = models.BinaryField()

    class Meta:
        db_table = "search_term_impact"
        constraints = [models.UniqueConstraint(fields=["generation", "term"], name="search_term_impact_term")]
