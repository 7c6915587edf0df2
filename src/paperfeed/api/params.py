"""Query parameters, checked strictly: a bad value is a 400 that names it, never a guess."""

from __future__ import annotations

import re

from paperfeed.api.http import ApiError
from paperfeed.papers.ids import ArxivId, parse_arxiv_id
from paperfeed.papers.periods import FIRST_YEAR, LAST_YEAR, Period, parse_day, parse_month, parse_week, year_out_of_range

MAX_LIMIT = 100
# Deep pages cost an OFFSET scan; beyond this a client should narrow by date instead.
MAX_PAGE = 10_000
MAX_TEXT = 500
_INTEGER = re.compile(r"-?\d{1,12}", re.ASCII)


def single(request, name: str) -> str | None:
    """The one value of a query parameter, None when absent. Given twice (`?limit=1&limit=`)
    is a 400: which one a server takes is a guess, and the guess is not the client's."""
    values = request.GET.getlist(name)
    if len(values) > 1:
        raise ApiError(f"{name} must be given once.")
    return values[0] if values else None


def integer(request, name: str, default: int, low: int, high: int) -> int:
    raw = single(request, name)
    if raw is None or raw == "":
        return default
    cleaned = raw.strip()
    value = int(cleaned) if _INTEGER.fullmatch(cleaned) else None
    if value is None or not low <= value <= high:
        raise ApiError(f"{name} must be an integer between {low} and {high}.")
    return value


def limit(request, default: int = 50) -> int:
    return integer(request, "limit", default, 1, MAX_LIMIT)


def text(request, name: str, max_length: int = MAX_TEXT) -> str:
    return _checked_text(name, (single(request, name) or "").strip(), max_length)


def texts(request, name: str, max_length: int = MAX_TEXT, most: int = 20) -> list[str]:
    """A parameter that may be given several times (Hugging Face's `owner`, `item`); blanks dropped."""
    values = [value.strip() for value in request.GET.getlist(name) if value.strip()]
    if len(values) > most:
        raise ApiError(f"{name} may be given at most {most} times.")
    return [_checked_text(name, value, max_length) for value in values]


def _checked_text(name: str, value: str, max_length: int) -> str:
    if len(value) > max_length or "\x00" in value:
        raise ApiError(f"{name} must be at most {max_length} characters of text.")
    return value


def period(request) -> Period | None:
    """At most one of date / week / month; None when none is given."""
    given = [(name, value) for name in ("date", "week", "month") if (value := single(request, name))]
    if len(given) > 1:
        raise ApiError("Give only one of date, week and month.")
    if not given:
        return None
    name, raw = given[0]
    parser, shape = {"date": (parse_day, "YYYY-MM-DD"), "week": (parse_week, "YYYY-Www"), "month": (parse_month, "YYYY-MM")}[name]
    parsed = parser(raw.strip())
    if parsed is None:
        if year_out_of_range(raw.strip()):
            raise ApiError(f"{name} must be in the years {FIRST_YEAR}–{LAST_YEAR}.")
        raise ApiError(f"{name} must be a valid {shape}.")
    return parsed


def choice(request, name: str, options: tuple[str, ...], default: str | None = None) -> str | None:
    value = single(request, name)
    if value is None or value == "":
        return default
    if value not in options:
        raise ApiError(f"{name} must be one of: {', '.join(options)}.")
    return value


def arxiv_id(value: object, name: str = "arxivId") -> ArxivId:
    parsed = parse_arxiv_id(value) if isinstance(value, str) else None
    if parsed is None:
        raise ApiError(f"{name} must be an arXiv identifier such as 2410.17243.")
    return parsed
