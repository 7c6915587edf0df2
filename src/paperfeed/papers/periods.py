"""The periods a feed page can show: a day, an ISO week, or a month, parsed from the URL."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    kind: str  # "day" | "week" | "month"
    start: date
    end: date  # inclusive

    @property
    def slug(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def label(self) -> str:
        if self.kind == "day":
            return f"{self.start:%A, %B} {self.start.day}, {self.start.year}"
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"Week {week}, {year} ({self.start:%b} {self.start.day} – {self.end:%b} {self.end.day})"
        return f"{self.start:%B %Y}"

    def containing(self, day: date) -> Period:
        """The period of the same kind that contains `day`."""
        return {"day": day_period, "week": week_of, "month": month_of}[self.kind](day)


def day_period(day: date) -> Period:
    return Period("day", day, day)


def week_of(day: date) -> Period:
    start = day - timedelta(days=day.weekday())
    return Period("week", start, start + timedelta(days=6))


def month_of(day: date) -> Period:
    last = calendar.monthrange(day.year, day.month)[1]
    return Period("month", day.replace(day=1), day.replace(day=last))


# The years a URL or an API parameter may name. Lists are kept from arXiv's first year on;
# the far end leaves room for the date arithmetic around a period (the next week, the end of
# a month, a digest's send time) that overflows `date` near year 9999 and before year 1.
# Anything outside is "no such period" (404 on pages, 400 on the API), never an error page.
FIRST_YEAR = 1900
LAST_YEAR = 2999


def _in_range(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def year_out_of_range(text: str) -> bool:
    """Whether `text` has the shape of a period but names a year outside the range."""
    m = _DAY.fullmatch(text) or _WEEK.fullmatch(text) or _MONTH.fullmatch(text)
    return bool(m) and not _in_range(int(m[1]))


# ASCII digits, the whole text (no trailing newline): a URL names a period one way only.
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_WEEK = re.compile(r"(\d{4})-W(\d{2})", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)


def parse_day(text: str) -> Period | None:
    m = _DAY.fullmatch(text)
    if not m or not _in_range(int(m[1])):
        return None
    try:
        return day_period(date(int(m[1]), int(m[2]), int(m[3])))
    except ValueError:
        return None


def parse_week(text: str) -> Period | None:
    m = _WEEK.fullmatch(text)
    if not m or not _in_range(int(m[1])):
        return None
    try:
        return week_of(date.fromisocalendar(int(m[1]), int(m[2]), 1))
    except ValueError:
        return None


def parse_month(text: str) -> Period | None:
    m = _MONTH.fullmatch(text)
    if not m or not 1 <= int(m[2]) <= 12 or not _in_range(int(m[1])):
        return None
    return month_of(date(int(m[1]), int(m[2]), 1))
