"""Merging a duplicate paper into the one to keep (a moderator's action in the admin).

Everything that points at the duplicate moves to the kept paper, in one transaction, and the
duplicate is deleted (the FTS triggers drop it from the search index; its vector and trending
rows go with it). Where a unique constraint would be broken the two rows are combined:

- daily entries (one per day): the imported upvotes are added, blanks filled from the duplicate;
- votes (one per user): a user who voted for both keeps one vote; Paper.upvotes is recounted;
- collection items (one per collection), announcements (one per day), versions (one per
  number), categories: the kept paper's row wins;
- authorship claims (one open claim per user): the stronger claim stays (approved > pending);
- comments move as they are; Paper.comment_count is recounted.

The community rows (votes, comments, collection items, claims) are moved by their own apps:
each registers a `MergeStep` in its AppConfig.ready (`register_merge_step`), so papers never
imports the apps above it (docs/layers.md). Relations added later by other apps are moved too
(see `_move_remaining`), so a new model that points at papers never blocks a merge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, models, transaction

from paperfeed.papers.models import Announcement, DailyEntry, Paper, PaperAuthor, PaperCategory, PaperVersion
from paperfeed.papers.signals import activity_changed

# Text fields the kept paper takes from the duplicate when its own are blank.
_FILLABLE = ("abstract", "authors_text", "comments", "journal_ref", "doi", "report_no", "license",
             "submitter", "github_repo", "project_page",
             "github_stars", "ai_summary", "ai_keywords", "source_authors")  # fmt: skip


@dataclass
class MergeReport:
    kept: str
    removed: str
    moved: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        parts = ", ".join(f"{count} {name}" for name, count in self.moved.items() if count)
        return f"Merged {self.removed} into {self.kept}" + (f" (moved {parts})" if parts else "")


@dataclass(frozen=True)
class MergeStep:
    """How an app above papers moves its rows of a duplicate paper to the kept one."""

    name: str  # in the report: "votes" ("moved 2 votes")
    relation: str  # the accessor on Paper it takes care of ("votes"): `_move_remaining` skips it
    move: Callable[[Paper, Paper], int]  # move(keep, duplicate) -> rows moved
    recount: Callable[[Paper], None] | None = None  # after the duplicate is deleted: fix counters


# Run in registration order (the order of INSTALLED_APPS), after the daily entries.
_steps: list[MergeStep] = []


def register_merge_step(step: MergeStep) -> None:
    """Called from an AppConfig.ready; registering the same step again changes nothing."""
    if all(known.name != step.name for known in _steps):
        _steps.append(step)


def merge_papers(keep: Paper, duplicate: Paper) -> MergeReport:
    if keep.pk == duplicate.pk:
        raise ValueError("A paper cannot be merged into itself.")
    report = MergeReport(kept=keep.arxiv_id, removed=duplicate.arxiv_id)
    steps = list(_steps)
    handled = {"daily_entries", "announcements", "versions", "authorships", "papercategory_set",
               *(step.relation for step in steps)}  # fmt: skip
    with transaction.atomic():
        keep = Paper.objects.select_for_update().get(pk=keep.pk)
        duplicate = Paper.objects.select_for_update().get(pk=duplicate.pk)
        report.moved["daily entries"] = _merge_daily_entries(keep, duplicate)
        for step in steps:
            report.moved[step.name] = step.move(keep, duplicate)
        report.moved["announcements"] = move_unique(Announcement.objects.filter(paper=duplicate), keep, "date")
        report.moved["versions"] = move_unique(PaperVersion.objects.filter(paper=duplicate), keep, "number")
        move_unique(PaperCategory.objects.filter(paper=duplicate), keep, "category_id")
        if not PaperAuthor.objects.filter(paper=keep).exists():
            PaperAuthor.objects.filter(paper=duplicate).update(paper=keep)
        report.moved["other rows"] = _move_remaining(keep, duplicate, handled)
        _fill_blanks(keep, duplicate)
        duplicate.delete()
        for step in steps:
            if step.recount is not None:
                step.recount(keep)
    activity_changed(Paper, keep.pk)
    return report


def _merge_daily_entries(keep: Paper, duplicate: Paper) -> int:
    moved = 0
    kept_by_day = {e.date: e for e in DailyEntry.objects.filter(paper=keep)}
    for entry in DailyEntry.objects.filter(paper=duplicate):
        kept = kept_by_day.get(entry.date)
        if kept is None:
            entry.paper = keep
            entry.save(update_fields=["paper"])
        else:
            kept.upvotes += entry.upvotes
            kept.submitted_by = kept.submitted_by or entry.submitted_by
            kept.submitter_id = kept.submitter_id or entry.submitter_id
            kept.organization_id = kept.organization_id or entry.organization_id
            kept.listed_at = kept.listed_at or entry.listed_at
            kept.submitter_profile = kept.submitter_profile or entry.submitter_profile
            kept.thumbnail = kept.thumbnail or entry.thumbnail
            kept.media_urls = kept.media_urls or entry.media_urls
            kept.save(update_fields=["upvotes", "submitted_by", "submitter", "organization", "listed_at",
                                     "submitter_profile", "thumbnail", "media_urls"])
            entry.delete()
        moved += 1
    # One count for the merged paper: the highest either paper or any merged day reported.
    top = DailyEntry.objects.filter(paper=keep).aggregate(top=models.Max("upvotes"))["top"] or 0
    keep.source_upvotes = max(keep.source_upvotes, duplicate.source_upvotes, top)
    # The source's comment count is one count too (its discussion of the paper).
    keep.source_comments = max(keep.source_comments, duplicate.source_comments)
    Paper.objects.filter(pk=keep.pk).update(source_upvotes=keep.source_upvotes, source_comments=keep.source_comments)
    return moved


def move_unique(queryset, keep: Paper, key: str) -> int:
    """Move rows whose `key` the kept paper does not have yet; drop the others."""
    taken = set(queryset.model.objects.filter(paper=keep).values_list(key, flat=True))
    queryset.filter(**{f"{key}__in": taken}).delete()
    return queryset.update(paper=keep)


def _move_remaining(keep: Paper, duplicate: Paper, handled: set[str]) -> int:
    """Foreign keys to Paper from models this module does not know (yet).

    Each row moves in its own savepoint; a row that would break a unique constraint is a
    duplicate of one the kept paper has and is dropped. One-to-one rows (the search vector,
    the trending score) belong to the duplicate and are deleted with it.
    """
    moved = 0
    for relation in Paper._meta.related_objects:
        if relation.one_to_one or relation.many_to_many or relation.get_accessor_name() in handled:
            continue
        if relation.related_model._meta.auto_created:
            continue
        model: type[models.Model] = relation.related_model
        name = relation.field.name
        for row in model._default_manager.filter(**{name: duplicate}):
            try:
                with transaction.atomic():
                    model._default_manager.filter(pk=row.pk).update(**{name: keep})
                moved += 1
            except IntegrityError:
                row.delete()
    return moved


def _fill_blanks(keep: Paper, duplicate: Paper) -> None:
    changed = [name for name in _FILLABLE if not getattr(keep, name) and getattr(duplicate, name)]
    for name in changed:
        setattr(keep, name, getattr(duplicate, name))
    if keep.primary_category_id is None and duplicate.primary_category_id is not None:
        keep.primary_category_id = duplicate.primary_category_id
        changed.append("primary_category")
    if not keep.num_authors and duplicate.num_authors:
        keep.num_authors = duplicate.num_authors
        changed.append("num_authors")
    if duplicate.published and (keep.published is None or duplicate.published < keep.published):
        keep.published = duplicate.published
        changed.append("published")
    top = PaperVersion.objects.filter(paper=keep).aggregate(top=models.Max("number"))["top"] or 1
    keep.latest_version = max(keep.latest_version, duplicate.latest_version, top)
    # Saving bumps modified_at: incremental indexing re-embeds the kept paper's new text.
    keep.save(update_fields=[*changed, "latest_version", "modified_at"])
