"""The site's papers and daily lists as JSON lines, and back (`paperfeed export` / `import`).

One object per line, `"type": "paper"` or `"type": "daily"`; a paper's fields are those of
papers.record.PaperRecord (camelCase), versions as in the arXiv snapshot. Import goes
through the same normaliser and store as every ingest (papers.store is the one writer),
so importing twice, or importing into a database that has some of the papers, changes
nothing that is already there. Local votes, comments and accounts are not site data: each
user takes theirs with `paperfeed export --user`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from paperfeed.api.serializers import iso
from paperfeed.papers.daily import Listing, list_papers
from paperfeed.papers.models import DailyEntry, Paper, PaperAuthor, PaperCategory, PaperVersion
from paperfeed.papers.store import store_records
from paperfeed.sources.normalize import (
    InvalidRecord,
    build_record,
    clean_count,
    clean_source_url,
    clean_source_user,
    parse_datetime,
)

BATCH = 500


def _chunks(queryset, size: int = BATCH) -> Iterator[list]:
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def paper_lines() -> Iterator[dict]:
    for papers in _chunks(Paper.objects.select_related("primary_category")):
        ids = [p.pk for p in papers]
        authors: dict[int, list[str]] = {}
        for paper_id, name in PaperAuthor.objects.filter(paper_id__in=ids).order_by("paper_id", "position").values_list(
            "paper_id", "author__name"
        ):
            authors.setdefault(paper_id, []).append(name)
        categories: dict[int, list[str]] = {}
        for paper_id, code in PaperCategory.objects.filter(paper_id__in=ids).order_by("category__code").values_list(
            "paper_id", "category__code"
        ):
            categories.setdefault(paper_id, []).append(code)
        versions: dict[int, list[dict]] = {}
        for version in PaperVersion.objects.filter(paper_id__in=ids).order_by("paper_id", "number"):
            versions.setdefault(version.paper_id, []).append(
                {"version": f"v{version.number}", "created": iso(version.created), "size": version.size}
            )
        for paper in papers:
            codes = categories.get(paper.pk, [])
            primary = paper.primary_category.code if paper.primary_category else None
            if primary:  # the primary category first, as every source gives it
                codes = [primary] + [c for c in codes if c != primary]
            yield {
                "type": "paper",
                "id": paper.arxiv_id,
                "title": paper.title,
                "abstract": paper.abstract,
                "authors": authors.get(paper.pk, []),
                "numAuthors": paper.num_authors,
                "categories": codes,
                "versions": versions.get(paper.pk, []),
                "latestVersion": paper.latest_version,
                "published": iso(paper.published),
                "updated": iso(paper.updated),
                "comments": paper.comments,
                "journalRef": paper.journal_ref,
                "doi": paper.doi,
                "reportNo": paper.report_no,
                "license": paper.license,
                "submitter": paper.submitter,
                "githubRepo": paper.github_repo,
                "projectPage": paper.project_page,
                "withdrawn": paper.withdrawn,
                # What Hugging Face said around the paper (see papers/record.py).
                "githubStars": paper.github_stars,
                "aiSummary": paper.ai_summary,
                "aiKeywords": paper.ai_keywords,
                "sourceAuthors": paper.source_authors,
            }


def daily_lines() -> Iterator[dict]:
    for entries in _chunks(DailyEntry.objects.select_related("paper", "organization")):
        for entry in entries:
            org = entry.organization
            yield {
                "type": "daily",
                "date": entry.date.isoformat(),
                "paper": entry.paper.arxiv_id,
                "upvotes": entry.upvotes,
                "submittedBy": entry.submitted_by,
                "organization": {"slug": org.slug, "name": org.name} if org else None,
                # The listing as its source gave it (papers.models.DailyEntry).
                "listedAt": iso(entry.listed_at),
                "submitter": entry.submitter_profile,
                "thumbnail": entry.thumbnail,
                "mediaUrls": entry.media_urls,
                "numComments": entry.paper.source_comments,  # the paper's count at the source
            }


def export_lines() -> Iterator[str]:
    for item in paper_lines():
        yield json.dumps(item, ensure_ascii=False)
    for item in daily_lines():
        yield json.dumps(item, ensure_ascii=False)


@dataclass
class ImportSummary:
    papers_new: int = 0
    papers_updated: int = 0
    papers_unchanged: int = 0
    daily_new: int = 0
    daily_seen: int = 0
    problems: list[str] = field(default_factory=list)  # "line N: reason"


def _record(item: dict):
    return build_record(
        arxiv_id=item.get("id", ""),
        title=item.get("title", ""),
        abstract=item.get("abstract") or "",
        authors=item.get("authors") or [],
        num_authors=item.get("numAuthors"),
        categories=item.get("categories") or [],
        versions=item.get("versions") or [],
        latest_version=item.get("latestVersion"),
        published=item.get("published"),
        updated=item.get("updated"),
        comments=item.get("comments") or "",
        journal_ref=item.get("journalRef") or "",
        doi=item.get("doi") or "",
        report_no=item.get("reportNo") or "",
        license=item.get("license") or "",
        submitter=item.get("submitter") or "",
        github_repo=item.get("githubRepo") or "",
        project_page=item.get("projectPage") or "",
        withdrawn=bool(item.get("withdrawn")),
        github_stars=item.get("githubStars"),
        ai_summary=item.get("aiSummary") or "",
        ai_keywords=item.get("aiKeywords"),
        source_authors=item.get("sourceAuthors"),
    )


def _listing(item: dict, paper_id: int) -> Listing:
    org = item.get("organization") or {}
    upvotes = item.get("upvotes") or 0
    if not isinstance(upvotes, int) or upvotes < 0:
        raise InvalidRecord(f"upvotes {upvotes!r} is not a count")
    return Listing(
        paper_id=paper_id,
        date=date.fromisoformat(item["date"]),
        upvotes=upvotes,
        submitted_by=str(item.get("submittedBy") or ""),
        organization=str(org.get("name") or "") if isinstance(org, dict) else "",
        organization_slug=str(org.get("slug") or "") if isinstance(org, dict) else "",
        # Cleaned again, as on the way in from the source: a file is input like any other.
        listed_at=parse_datetime(item.get("listedAt")),
        num_comments=clean_count(item.get("numComments")) or 0,
        submitter_profile=clean_source_user(item.get("submitter")),
        thumbnail=clean_source_url(item.get("thumbnail")),
        media_urls=_urls(item.get("mediaUrls")),
    )


def _urls(value: object) -> list[str]:
    urls = [clean_source_url(url) for url in value] if isinstance(value, list) else []
    return [url for url in urls if url]


def import_lines(lines: Iterable[str], progress: Callable[[int], None] | None = None) -> ImportSummary:
    """Load an export; a bad line is reported with its number and skipped, the rest goes in."""
    summary = ImportSummary()
    records, daily = [], []

    def flush() -> None:
        with transaction.atomic():
            result = store_records(records)
        summary.papers_new += len(result.created)
        summary.papers_updated += len(result.updated)
        summary.papers_unchanged += len(result.unchanged)
        records.clear()

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise InvalidRecord("not a JSON object")
            kind = item.get("type")
            if kind == "paper":
                records.append(_record(item))
            elif kind == "daily":
                daily.append((number, item))
            else:
                raise InvalidRecord(f"unknown type {kind!r}")
        except (ValueError, InvalidRecord) as exc:
            summary.problems.append(f"line {number}: {exc}")
            continue
        if len(records) >= BATCH:
            flush()
        if progress:
            progress(number)
    if records:
        flush()
    _import_daily(daily, summary)
    return summary


def _import_daily(daily: list[tuple[int, dict]], summary: ImportSummary) -> None:
    for start in range(0, len(daily), BATCH):
        chunk = daily[start : start + BATCH]
        known = dict(
            Paper.objects.filter(arxiv_id__in=[str(item.get("paper")) for _, item in chunk]).values_list("arxiv_id", "id")
        )
        listings = []
        for number, item in chunk:
            try:
                paper_id = known.get(str(item.get("paper")))
                if paper_id is None:
                    raise InvalidRecord(f"paper {item.get('paper')!r} is neither in the file nor in the database")
                listings.append(_listing(item, paper_id))
            except (KeyError, TypeError, ValueError, InvalidRecord) as exc:
                summary.problems.append(f"line {number}: {exc}")
        summary.daily_seen += len(listings)
        summary.daily_new += list_papers(listings)
