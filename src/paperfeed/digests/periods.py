"""Which papers a digest covers: a day's list (daily) or an ISO week's lists (weekly)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from paperfeed.papers.periods import Period, day_period, week_of


@dataclass(frozen=True)
class DigestPeriod:
    kind: str  # "daily" | "weekly"
    span: Period

    @property
    def key(self) -> str:
        """Names the period in the delivery log: "daily:2026-11-26", "weekly:2026-W48"."""
        return f"{self.kind}:{self.span.slug}"

    def due_at(self, tz_name: str, send_hour: int) -> datetime:
        """When a subscriber gets this digest: their send hour on the day after the period
        ends, so the period's lists are complete."""
        try:
            tz = ZoneInfo(tz_name)
        except Exception:  # an unknown zone name in old data: fall back to UTC, never crash a run
            tz = ZoneInfo("UTC")
        return datetime.combine(self.span.end + timedelta(days=1), time(hour=min(send_hour, 23)), tzinfo=tz)


def digest_period(kind: str, day: date) -> DigestPeriod:
    """The digest period of `kind` containing `day`."""
    if kind == "daily":
        return DigestPeriod("daily", day_period(day))
    if kind == "weekly":
        return DigestPeriod("weekly", week_of(day))
    raise ValueError(f"unknown digest period {kind!r}; use daily or weekly")


def latest_complete(kind: str, today: date) -> DigestPeriod:
    """The most recent period that has ended by `today` (UTC): yesterday, or last week."""
    if kind == "daily":
        return digest_period(kind, today - timedelta(days=1))
    return digest_period(kind, week_of(today).start - timedelta(days=1))
