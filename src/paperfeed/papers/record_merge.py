"""Several records of one paper, from several sources, merged into one.

The record of the latest version wins (then the most complete); its empty fields are filled
from the others; versions are united. Pure functions on PaperRecords, used by the store for
every batch and by the sample builder.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import time

from paperfeed.papers.record import PaperRecord, VersionRecord

_NOT_FILLABLE = {"arxiv_id", "versions", "num_authors", "origin"}
_FILLABLE = [f.name for f in dataclasses.fields(PaperRecord) if f.name not in _NOT_FILLABLE]


def group_by_id(records: Iterable[PaperRecord]) -> dict[str, list[PaperRecord]]:
    groups: dict[str, list[PaperRecord]] = {}
    for record in records:
        groups.setdefault(record.arxiv_id, []).append(record)
    return dict(sorted(groups.items()))


def _completeness(record: PaperRecord) -> tuple:
    filled = sum(1 for name in _FILLABLE if getattr(record, name))
    return (record.latest_version or 1, len(record.versions), len(record.authors), filled)


def merge_records(records: list[PaperRecord]) -> PaperRecord:
    """One record from several describing the same paper.

    The record of the latest version wins (then the most complete); its empty fields are
    filled from the others, as ``store_records`` does for older versions; versions are united,
    preferring a date with a time of day (OAI gives dates only) and a known size.
    """
    ranked = sorted(records, key=_completeness, reverse=True)  # stable: ties keep input order
    merged = dataclasses.replace(ranked[0])
    for other in ranked[1:]:
        for name in _FILLABLE:
            if not getattr(merged, name) and getattr(other, name):
                setattr(merged, name, getattr(other, name))
    versions: dict[int, VersionRecord] = {}
    for version in (v for r in ranked for v in r.versions):
        known = versions.get(version.number)
        if known is None or _precision(version) > _precision(known):
            versions[version.number] = version
    merged.versions = [versions[n] for n in sorted(versions)]
    first = versions.get(1)
    if first and (merged.published is None or (_precision(first)[0] and merged.published.time() == time(0))):
        merged.published = first.created  # the same day, to the second
    merged.latest_version = max([r.latest_version or 1 for r in records] + list(versions))
    merged.updated = max((r.updated for r in records if r.updated), default=merged.published)
    merged.withdrawn = any(r.withdrawn for r in records)
    merged.num_authors = None if merged.authors else max((r.num_authors or 0 for r in records), default=0) or None
    return merged


def _precision(version: VersionRecord) -> tuple[bool, bool]:
    return (version.created.time() != time(0), bool(version.size))
