"""Mute rules, applied the same way on every surface: feeds, search, For you, digests.

One Q object defines "muted", so a database filter (feeds, which page in SQL) and a check of
a list of ids (search, digests) can never disagree.

Not the JSON API: it answers every caller alike, as the Hugging Face API it mirrors does, so
scripts and `huggingface_hub` see the same listing whoever's token they carry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from paperfeed.papers.models import Paper
from paperfeed.personal.models import MuteRule


@dataclass(frozen=True)
class Mutes:
    keywords: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()

    @classmethod
    def for_user(cls, user) -> Mutes:
        if user is None or not getattr(user, "is_authenticated", False):
            return cls()
        rules = list(MuteRule.objects.filter(user=user).values_list("kind", "value"))
        return cls(
            keywords=tuple(v for k, v in rules if k == MuteRule.Kind.KEYWORD),
            categories=tuple(v for k, v in rules if k == MuteRule.Kind.CATEGORY),
            authors=tuple(v for k, v in rules if k == MuteRule.Kind.AUTHOR),
        )

    def __bool__(self) -> bool:
        return bool(self.keywords or self.categories or self.authors)

    def q(self, prefix: str = "") -> Q:
        """Matches the muted papers; `prefix` reaches the paper from another model ("paper__")."""
        parts: list[Q] = []
        for word in self.keywords:
            parts.append(Q(**{f"{prefix}title__icontains": word}) | Q(**{f"{prefix}abstract__icontains": word}))
        if self.categories:
            parts.append(Q(**{f"{prefix}categories__code__in": self.categories}))
        for name in self.authors:
            parts.append(Q(**{f"{prefix}authorships__author__name__iexact": name}))
        return reduce(or_, parts) if parts else Q(pk__in=[])

    def muted_ids(self, paper_ids: Iterable[int]) -> set[int]:
        ids = list(paper_ids)
        if not self or not ids:
            return set()
        return set(Paper.objects.filter(pk__in=ids).filter(self.q()).values_list("pk", flat=True))

    def keep(self, paper_ids: list[int]) -> list[int]:
        """The ids that are not muted, in their order."""
        muted = self.muted_ids(paper_ids)
        return [pid for pid in paper_ids if pid not in muted]


# -- "N papers hidden by your mutes · show" on lists -----------------------------------------

SHOW_PARAM = "muted"  # ?muted=show lists the muted papers too, for this page view only


@dataclass(frozen=True)
class MutedNote:
    """What a list says about the papers a reader's mutes took out of it."""

    hidden: int  # papers of the whole list (every page) that the mutes match
    showing: bool  # the reader asked to see them anyway
    show_url: str
    hide_url: str


def _note(request, hidden: int) -> MutedNote:
    params = request.GET.copy()
    params.pop("p", None)  # the list changes length: start at its first page
    params.pop(SHOW_PARAM, None)
    hide = params.urlencode()
    params[SHOW_PARAM] = "show"
    return MutedNote(
        hidden=hidden,
        showing=request.GET.get(SHOW_PARAM) == "show",
        show_url=f"{request.path}?{params.urlencode()}",
        hide_url=f"{request.path}?{hide}" if hide else request.path,
    )


def mute_queryset(request, queryset, prefix: str = "paper__"):
    """(the list without the reader's muted papers — or with them, when asked —, its MutedNote
    or None when nothing is muted). `queryset` is one bounded list (a day, a month, trending),
    so counting its muted rows is one indexed query of that list."""
    mutes = Mutes.for_user(request.user)
    if not mutes:
        return queryset, None
    hidden = queryset.filter(mutes.q(prefix)).order_by().values("pk").distinct().count()
    note = _note(request, hidden)
    return (queryset if note.showing else queryset.exclude(mutes.q(prefix))), note


def mute_ids(request, paper_ids: list[int]) -> tuple[list[int], MutedNote | None]:
    """The same for a ranked list of paper ids (search results)."""
    mutes = Mutes.for_user(request.user)
    if not mutes:
        return paper_ids, None
    kept = mutes.keep(paper_ids)
    note = _note(request, len(paper_ids) - len(kept))
    return (paper_ids if note.showing else kept), note
