"""Search filters: published date range, categories, an author, has code."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from paperfeed.papers.models import Paper
from paperfeed.sources.normalize import parse_categories


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None  # a bad date is ignored, not an error page


@dataclass
class SearchFilters:
    published_from: date | None = None
    published_to: date | None = None
    categories: list[str] = field(default_factory=list)
    author: str = ""
    has_code: bool = False

    @classmethod
    def from_query(cls, params) -> SearchFilters:
        return cls(
            published_from=_date(params.get("from")),
            published_to=_date(params.get("to")),
            categories=parse_categories((params.get("category") or "").replace(",", " "))[:10],
            author=(params.get("author") or "").strip()[:200],
            has_code=params.get("code") in {"1", "true", "on", "yes"},
        )

    @property
    def active(self) -> bool:
        return bool(self.published_from or self.published_to or self.categories or self.author or self.has_code)

    def apply(self, paper_ids: list[int]) -> list[int]:
        """The ids that pass, in the given order (one indexed query over the candidates)."""
        if not self.active or not paper_ids:
            return paper_ids
        papers = Paper.objects.filter(id__in=paper_ids)
        if self.published_from:
            papers = papers.filter(published__date__gte=self.published_from)
        if self.published_to:
            papers = papers.filter(published__date__lte=self.published_to)
        if self.categories:
            papers = papers.filter(categories__code__in=self.categories)
        if self.author:
            papers = papers.filter(authors_text__icontains=self.author)
        if self.has_code:
            papers = papers.exclude(github_repo="")
        passing = set(papers.values_list("id", flat=True))
        return [pid for pid in paper_ids if pid in passing]
