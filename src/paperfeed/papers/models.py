"""The paper store: one row per arXiv paper, its versions, authors, categories, and daily lists."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F
from django.urls import reverse


class Category(models.Model):
    code = models.CharField(max_length=40, unique=True)  # "cs.LG", "hep-th"

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.code


class Author(models.Model):
    # arXiv has no author identifiers; a display name is the only key there is.
    name = models.CharField(max_length=300, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    avatar_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Paper(models.Model):
    arxiv_id = models.CharField(max_length=64, unique=True)  # without version
    title = models.TextField()
    abstract = models.TextField(blank=True)
    # The byline as one string, in paper order: what cards show and what lexical search
    # indexes; the PaperAuthor rows hold the same names for per-author queries.
    authors_text = models.TextField(blank=True)
    # How many authors; a source may know only the count (a Hugging Face search page).
    num_authors = models.PositiveIntegerField(default=0)
    primary_category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="primary_papers"
    )
    categories = models.ManyToManyField(Category, blank=True, related_name="papers", through="PaperCategory")
    published = models.DateTimeField(null=True, blank=True, db_index=True)  # v1
    updated = models.DateTimeField(null=True, blank=True)  # latest version
    latest_version = models.PositiveIntegerField(default=1)
    comments = models.TextField(blank=True)
    journal_ref = models.TextField(blank=True)
    doi = models.CharField(max_length=200, blank=True)
    report_no = models.CharField(max_length=300, blank=True)
    license = models.URLField(max_length=300, blank=True)
    submitter = models.CharField(max_length=300, blank=True)
    github_repo = models.URLField(max_length=500, blank=True)
    project_page = models.URLField(max_length=500, blank=True)
    withdrawn = models.BooleanField(default=False)
    # Community counters, denormalised so that a card needs no aggregate query. The votes and
    # discussion apps change them with F() updates in the same transaction as the vote or
    # comment, so they stay exact under concurrent writers. `upvotes` counts local votes only.
    upvotes = models.PositiveIntegerField(default=0, db_default=0)
    # The paper's upvotes as its source (Hugging Face) counts them: the highest count any of
    # its daily entries imported. A source counts a paper once, whatever day lists it, and a
    # later list reports the grown count; adding the entries up would count the same votes
    # twice. papers.daily.list_papers keeps it. Every page, e-mail and API answer shows
    # `total_upvotes` (this + local votes): see total_upvotes_expression().
    source_upvotes = models.PositiveIntegerField(default=0, db_default=0)
    comment_count = models.PositiveIntegerField(default=0, db_default=0)
    # The comments on the paper's discussion at its source (Hugging Face's numComments): the
    # highest count imported, as for source_upvotes. The API's numComments is this + local
    # comments (`total_comments`); the local thread holds only comment_count of them.
    source_comments = models.PositiveIntegerField(default=0, db_default=0)
    # What Hugging Face's paper object says around the paper, kept as given (PaperRecord):
    github_stars = models.PositiveIntegerField(null=True, blank=True)  # None: not known
    ai_summary = models.TextField(blank=True)
    ai_keywords = models.JSONField(default=list, blank=True)
    # Hugging Face's authors with their claims: [{"name", "hidden", "user"?, "status"?,
    # "statusLastChangedAt"?}, …] in paper order (normalize.clean_source_authors); [] when
    # the source says nothing beyond the names.
    source_authors = models.JSONField(default=list, blank=True)
    # When `paperfeed thumbnails` last wrote the first-page image (paperfeed.thumbnails), or
    # None: pages know from the row whether there is one, without a look at the disk per card,
    # and the time versions the image's URL so browsers may cache it for good.
    thumbnail_at = models.DateTimeField(null=True, blank=True)
    # When this row last changed in content: incremental indexing picks up newer rows.
    modified_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published", "arxiv_id"]

    def __str__(self) -> str:
        return f"{self.arxiv_id}: {self.title[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("paper-detail", args=[self.arxiv_id])

    @property
    def total_upvotes(self) -> int:
        """The one upvote count shown for this paper everywhere: the source's + local votes."""
        return self.source_upvotes + self.upvotes

    @property
    def total_comments(self) -> int:
        """Comments at the source + local comments (the API's numComments)."""
        return self.source_comments + self.comment_count

    @property
    def source_discussion_url(self) -> str:
        """The paper's page at its source, whose discussion holds its `source_comments`."""
        return f"{settings.PAPERFEED_HF_URL}/papers/{self.arxiv_id}"

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.arxiv_id}"


def total_upvotes_expression(prefix: str = ""):
    """`Paper.total_upvotes` as a query expression, for ordering and annotating in the
    database; `prefix` reaches the paper through a relation ("paper__")."""
    return F(f"{prefix}source_upvotes") + F(f"{prefix}upvotes")


# On the link tables below, the paper's foreign key has no index of its own: the unique
# constraint that starts with it serves every lookup by paper, and one index fewer makes
# bulk loads of millions of rows faster.


class PaperCategory(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, db_index=False)
    category = models.ForeignKey(Category, on_delete=models.CASCADE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["paper", "category"], name="papercategory_unique")]


class PaperAuthor(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="authorships", db_index=False)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="authorships")
    position = models.PositiveIntegerField()  # 0-based order in the byline

    class Meta:
        ordering = ["paper", "position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "position"], name="paperauthor_unique_position"),
        ]


class PaperVersion(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="versions", db_index=False)
    number = models.PositiveIntegerField()
    created = models.DateTimeField()
    size = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["paper", "number"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "number"], name="paperversion_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.paper.arxiv_id}v{self.number}"


class DailyEntry(models.Model):
    """A paper listed on one day's page, as on Hugging Face's Daily Papers."""

    date = models.DateField(db_index=True)
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="daily_entries")
    # The Hugging Face username or local user who put the paper on the list, if any.
    submitted_by = models.CharField(max_length=150, blank=True)
    # The local account behind `submitted_by`, when the paper was submitted on this instance.
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="daily_entries"
    )
    # The count the source (Hugging Face) reported with this day's list: history, and the
    # day's rank. What pages show is the paper's one count (Paper.total_upvotes).
    upvotes = models.PositiveIntegerField(default=0)
    added_at = models.DateTimeField(auto_now_add=True)
    # The listing as the source gave it (Hugging Face's daily item), served as given:
    # when it went on the list (its `publishedAt`), None for a local listing (added_at says);
    listed_at = models.DateTimeField(null=True, blank=True)
    # the submitter's account ({"name", "fullname", "avatarUrl", "isPro", …}; sources.normalize
    # .clean_source_user), {} when only the login is known or the submitter is local;
    submitter_profile = models.JSONField(default=dict, blank=True)
    # and the listing's images: Hugging Face's social thumbnail and the submitter's uploads.
    thumbnail = models.CharField(max_length=500, blank=True)
    media_urls = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-date", "-upvotes", "paper__arxiv_id"]
        verbose_name_plural = "daily entries"
        constraints = [
            models.UniqueConstraint(fields=["date", "paper"], name="dailyentry_unique_paper_per_day"),
        ]
        indexes = [models.Index(fields=["date", "-upvotes"], name="dailyentry_day_rank")]

    def __str__(self) -> str:
        return f"{self.date}: {self.paper.arxiv_id}"

    @property
    def submitter_name(self) -> str:
        """The submitter as pages name them: the full name the source gave, else the login."""
        return self.submitter_profile.get("fullname") or self.submitted_by

    @property
    def submitter_avatar(self) -> str:
        """The submitter's picture when the source gave an absolute http(s) URL ("" else;
        a path on the source's site is not one pages can show)."""
        url = self.submitter_profile.get("avatarUrl") or ""
        return url if url.startswith(("https://", "http://")) else ""


class Announcement(models.Model):
    """A paper in arXiv's announcement of a day: new, a cross-list, or a replacement."""

    class Kind(models.TextChoices):
        NEW = "new"
        CROSS = "cross"  # cross-listed into a followed category from another
        REPLACE = "replace"  # a new version of a paper announced earlier
        REPLACE_CROSS = "replace-cross"

    date = models.DateField(db_index=True)
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="announcements")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-date", "paper"]
        constraints = [models.UniqueConstraint(fields=["date", "paper"], name="announcement_unique_per_day")]

    def __str__(self) -> str:
        return f"{self.date} {self.kind} {self.paper.arxiv_id}v{self.version}"
