"""Writing papers: the only module that turns PaperRecords into rows.

Records arrive in batches (one API page, one OAI page, a few thousand snapshot lines) and
each batch is written in one transaction with a handful of queries, whatever its size.

Merging rules, so that re-running any ingest changes nothing and sources complement each
other instead of fighting:
- a field is only ever overwritten by a non-empty value;
- a record describing an *older* version than the one stored only fills empty fields;
- versions accumulate (v1 from one source, v2 from another);
- what a community source says around the paper (_COMMUNITY_FIELDS: GitHub stars, AI
  summary and keywords, claimed authors) is replaced by any later import that carries a
  value, whatever version that record describes: it changes over time, not with versions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from paperfeed.core.page_cache import pages_changed
from paperfeed.papers.bulk import NewRow, insert_rows, model_rows, select_pairs
from paperfeed.papers.models import Author, Category, Paper, PaperAuthor, PaperVersion
from paperfeed.papers.record import PaperRecord
from paperfeed.papers.record_merge import group_by_id, merge_records

# Scalar fields copied from a record to a Paper row, by name.
_TEXT_FIELDS = (
    "title",
    "abstract",
    "comments",
    "journal_ref",
    "doi",
    "report_no",
    "license",
    "submitter",
    "github_repo",
    "project_page",
)

# Fields the newest non-empty import sets (Hugging Face's paper object; see the docstring).
_COMMUNITY_FIELDS = ("github_stars", "ai_summary", "ai_keywords", "source_authors")


@dataclass
class StoreResult:
    created: list[str] = field(default_factory=list)  # arXiv ids
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Papers whose latest version went up in this batch: "v2 is out" alerts use it.
    new_versions: list[str] = field(default_factory=list)
    paper_ids: dict[str, int] = field(default_factory=dict)  # arXiv id → Paper.pk

    def merge(self, other: StoreResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.new_versions += other.new_versions
        self.paper_ids.update(other.paper_ids)


def _dedupe(records: Iterable[PaperRecord]) -> dict[str, PaperRecord]:
    """One record per paper: several records of one paper in a batch are merged first."""
    return {
        arxiv_id: group[0] if len(group) == 1 else merge_records(group)
        for arxiv_id, group in group_by_id(records).items()
    }


def _ensure_categories(codes: set[str]) -> dict[str, int]:
    known = dict(Category.objects.filter(code__in=codes).values_list("code", "id"))
    missing = codes - known.keys()
    if missing:
        Category.objects.bulk_create([Category(code=c) for c in missing], ignore_conflicts=True)
        known.update(Category.objects.filter(code__in=missing).values_list("code", "id"))
    return known


def _ensure_authors(names: set[str]) -> dict[str, int]:
    sql = "SELECT name, id FROM papers_author WHERE name IN ({})"
    known: dict[str, int] = dict(select_pairs(sql, list(names)))
    missing = names - known.keys()
    if missing:
        Author.objects.bulk_create([Author(name=n) for n in missing], ignore_conflicts=True, batch_size=500)
        known.update(select_pairs(sql, list(missing)))
    return known


def _apply(paper: Paper, record: PaperRecord, is_new: bool) -> set[str]:
    """Copy the record onto the row by the merging rules; return the names of changed fields."""
    older = not is_new and (record.latest_version or 1) < paper.latest_version
    changed: set[str] = set()

    def put(name: str, value) -> None:
        if value in (None, "", []):
            return
        if older and getattr(paper, name) not in (None, "", 0):
            return
        if getattr(paper, name) != value:
            setattr(paper, name, value)
            changed.add(name)

    for name in _TEXT_FIELDS:
        put(name, getattr(record, name))
    for name in _COMMUNITY_FIELDS:
        value = getattr(record, name)
        if value not in (None, "", []) and getattr(paper, name) != value:
            setattr(paper, name, value)
            changed.add(name)
    if record.authors:
        put("authors_text", ", ".join(record.authors))
        put("num_authors", len(record.authors))
    elif not paper.authors_text:
        # A count alone (a search page) never contradicts a list of names already stored.
        put("num_authors", record.num_authors)
    # Dates: the more precise of two v1 dates (OAI gives dates only, other sources the
    # second), and the latest "updated" ever seen, so sources never flip them back and forth.
    published = _more_precise(paper.published, record.published)
    if published != paper.published:
        paper.published = published
        changed.add("published")
    if record.updated and (paper.updated is None or record.updated > paper.updated):
        paper.updated = record.updated
        changed.add("updated")
    if not older:
        put("latest_version", record.latest_version)
    if record.withdrawn and not paper.withdrawn:
        paper.withdrawn = True
        changed.add("withdrawn")
    return changed


def _more_precise(stored, incoming):
    if stored is None:
        return incoming
    if incoming is None:
        return stored
    midnight = stored.hour == stored.minute == stored.second == 0
    if midnight and incoming.date() == stored.date() and incoming != stored:
        return incoming
    return stored


@transaction.atomic
def store_records(records: Iterable[PaperRecord]) -> StoreResult:
    """Insert or merge a batch of records; returns what happened to each paper."""
    by_id = _dedupe(records)
    result = StoreResult()
    if not by_id:
        return result
    known = [a for (a,) in select_pairs("SELECT arxiv_id FROM papers_paper WHERE arxiv_id IN ({})", list(by_id))]
    existing = {p.arxiv_id: p for p in Paper.objects.filter(arxiv_id__in=known)} if known else {}
    category_ids = _ensure_categories({c for r in by_id.values() for c in r.categories})
    author_ids = _ensure_authors({a for r in by_id.values() for a in r.authors})

    now = timezone.now()
    new_papers: list[NewRow] = []
    changed_papers: dict[str, tuple[Paper, set[str]]] = {}
    for arxiv_id, record in by_id.items():
        paper = existing.get(arxiv_id)
        if paper is None:
            paper = NewRow(Paper, arxiv_id=arxiv_id, pk=None)
            _apply(paper, record, is_new=True)
            paper.primary_category_id = category_ids.get(record.categories[0]) if record.categories else None
            paper.modified_at = paper.created_at = now
            new_papers.append(paper)
            continue
        before_version = paper.latest_version
        changed = _apply(paper, record, is_new=False)
        older = (record.latest_version or 1) < before_version
        if record.categories and not older:
            primary = category_ids[record.categories[0]]
            if paper.primary_category_id != primary:
                paper.primary_category_id = primary
                changed.add("primary_category")
        if paper.latest_version > before_version:
            result.new_versions.append(arxiv_id)
        changed_papers[arxiv_id] = (paper, changed)

    _insert_papers(new_papers)
    for paper in new_papers:
        result.created.append(paper.arxiv_id)
        result.paper_ids[paper.arxiv_id] = paper.pk

    to_update = [p for p, fields in changed_papers.values() if fields]
    changed_fields = set().union(*(fields for _, fields in changed_papers.values()))
    for paper in to_update:
        paper.modified_at = now
    if to_update:
        # One statement per 500 rows; unchanged values in the union are written back as they are.
        Paper.objects.bulk_update(to_update, sorted(changed_fields | {"modified_at"}), batch_size=500)

    # Related rows: authors, categories and versions of every paper in the batch.
    papers = {p.arxiv_id: p for p in new_papers} | {k: v[0] for k, v in changed_papers.items()}
    related_changed = _sync_related(papers, by_id, category_ids, author_ids, set(existing))

    touched_only = []
    for arxiv_id, (paper, fields) in changed_papers.items():
        result.paper_ids[arxiv_id] = paper.pk
        if fields or arxiv_id in related_changed:
            result.updated.append(arxiv_id)
            if not fields:
                touched_only.append(paper.pk)
        else:
            result.unchanged.append(arxiv_id)
    if touched_only:
        Paper.objects.filter(pk__in=touched_only).update(modified_at=now)
    if result.created or result.updated:
        pages_changed()
    return result


_PAPER_FIELDS = [f.name for f in Paper._meta.concrete_fields if f.name != "id"]


# Later stages that index papers (search) may prefer to do their work once per batch of
# inserts rather than once per row; they register a context-manager factory here, entered
# around each batch insert inside its transaction. The store knows nothing about them.
_insert_hooks: list[Callable[[], AbstractContextManager]] = []


def register_insert_hook(factory: Callable[[], AbstractContextManager]) -> None:
    if factory not in _insert_hooks:
        _insert_hooks.append(factory)


# Before a long run of writes (a big ingest) the same stages may tune the connection for it
# (search: a larger page cache); the ingest command calls prepare_bulk_writes once, first.
_bulk_write_hooks: list[Callable[[], None]] = []


def register_bulk_write_hook(prepare: Callable[[], None]) -> None:
    if prepare not in _bulk_write_hooks:
        _bulk_write_hooks.append(prepare)


def prepare_bulk_writes() -> None:
    for prepare in _bulk_write_hooks:
        prepare()


def _insert_papers(papers: list[NewRow]) -> None:
    """Insert new papers and learn their primary keys."""
    if not papers:
        return
    with ExitStack() as hooks:
        for factory in _insert_hooks:
            hooks.enter_context(factory())
        insert_rows(Paper, _PAPER_FIELDS, model_rows(Paper, papers, _PAPER_FIELDS))
    by_id = {p.arxiv_id: p for p in papers}
    for pk, arxiv_id in select_pairs("SELECT id, arxiv_id FROM papers_paper WHERE arxiv_id IN ({})", list(by_id)):
        by_id[arxiv_id].pk = pk


def _sync_related(
    papers: dict[str, Paper],
    records: dict[str, PaperRecord],
    category_ids: dict[str, int],
    author_ids: dict[str, int],
    existing_ids: set[str],
) -> set[str]:
    """Bring authorships, categories and versions in line; return ids whose rows changed."""
    changed: set[str] = set()
    pks = [p.pk for a, p in papers.items() if a in existing_ids]

    current_authors: dict[int, list[int]] = {}
    for paper_id, author_id in (
        PaperAuthor.objects.filter(paper_id__in=pks).order_by("paper_id", "position").values_list("paper_id", "author_id")
    ):
        current_authors.setdefault(paper_id, []).append(author_id)
    through = Paper.categories.through
    current_categories: dict[int, set[int]] = {}
    for paper_id, category_id in through.objects.filter(paper_id__in=pks).values_list("paper_id", "category_id"):
        current_categories.setdefault(paper_id, set()).add(category_id)
    current_versions: dict[int, set[int]] = {}
    for paper_id, number in PaperVersion.objects.filter(paper_id__in=pks).values_list("paper_id", "number"):
        current_versions.setdefault(paper_id, set()).add(number)

    new_authorships, drop_authorships = [], []
    new_links, drop_links = [], []
    new_versions = []
    for arxiv_id, paper in papers.items():
        record = records[arxiv_id]
        older = arxiv_id in existing_ids and (record.latest_version or 1) < paper.latest_version
        wanted_authors = [author_ids[a] for a in record.authors]
        if wanted_authors and not older and current_authors.get(paper.pk, []) != wanted_authors:
            if paper.pk in current_authors:
                drop_authorships.append(paper.pk)
            new_authorships += [(paper.pk, a, i) for i, a in enumerate(wanted_authors)]
            changed.add(arxiv_id)
        wanted_categories = {category_ids[c] for c in record.categories}
        have_categories = current_categories.get(paper.pk, set())
        if wanted_categories and not older and have_categories != wanted_categories:
            drop_links += [(paper.pk, c) for c in have_categories - wanted_categories]
            new_links += [(paper.pk, c) for c in sorted(wanted_categories - have_categories)]
            changed.add(arxiv_id)
        have_versions = current_versions.get(paper.pk, set())
        for version in record.versions:
            if version.number not in have_versions:
                new_versions.append((paper.pk, version.number, version.created, version.size))
                changed.add(arxiv_id)

    if drop_authorships:
        PaperAuthor.objects.filter(paper_id__in=drop_authorships).delete()
    insert_rows(PaperAuthor, ["paper", "author", "position"], new_authorships)
    for paper_id, category_id in drop_links:
        through.objects.filter(paper_id=paper_id, category_id=category_id).delete()
    insert_rows(through, ["paper", "category"], new_links)
    insert_rows(PaperVersion, ["paper", "number", "created", "size"], new_versions)
    return changed
