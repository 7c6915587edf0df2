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
