"""Parsers for the formats paperfeed reads papers from, one small module per format.

Every parser turns its input into, per input record, one of:

- a :class:`~paperfeed.papers.record.PaperRecord` (cleaned by ``normalize.build_record``),
- a :class:`Problem` saying where and why a record could not be read, with its raw text,
- a :class:`Deleted` marker (OAI-PMH only: arXiv withdrew the record from the feed).

Bad input never raises out of a parser and is never silently dropped (a file that breaks
off raises UnreadableInput, after everything before the break). Parsers only pick raw
values out of their format; all cleaning happens in ``build_record``.

This package does not touch the database (so scripts can use it without Django set up).
"""

from __future__ import annotations

import gzip
import json
import io
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from paperfeed.papers.record import Origin, PaperRecord
from paperfeed.sources.normalize import InvalidRecord, build_record, escaped_raw, valid_text

# What reading a damaged file raises: a truncated or corrupt gzip stream (BadGzipFile is an
# OSError), or a disk error. The snapshot parser turns it into UnreadableInput; the seed
# parser (bundled files only) into a last Problem.
UNREADABLE_INPUT = (OSError, EOFError, zlib.error)

class UnreadableInput(Exception):
    """A file cannot be read to its end; every record before the damage has been yielded.

    Not a Problem of one record: the rest of the file is missing, so the run fails."""


# IngestProblem keeps at most this much of a bad payload; a hostile one can be any size.
RAW_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Problem:
    location: str  # "file:line", a URL, or a record id: enough to find the input again
    reason: str
    raw: str = ""


@dataclass(frozen=True)
class Deleted:
    """An OAI-PMH record whose header says status="deleted"."""

    arxiv_id: str


@dataclass
class DailyItem:
    """A paper as one day's Hugging Face list shows it: the record plus its listing."""

    record: PaperRecord
    date: date
    upvotes: int = 0
    submitted_by: str = ""  # Hugging Face username
    organization: str = ""  # display name, "" for none
    organization_slug: str = ""
    # The listing as the source gave it (Hugging Face's item; see formats/hf_daily.py):
    listed_at: datetime | None = None  # when it went on the list (UTC), to the millisecond
    num_comments: int = 0  # comments on the paper's discussion there
    submitter_profile: dict = field(default_factory=dict)  # `submittedBy`, cleaned
    thumbnail: str = ""
    media_urls: list[str] = field(default_factory=list)


def make_problem(location: str, reason: str, raw: object = "") -> Problem:
    """A Problem whose text fields any database stores (see normalize.valid_text/escaped_raw)."""
    if isinstance(raw, (bytes, bytearray)):
        text = escaped_raw(bytes(raw[: RAW_LIMIT * 4]))  # a bound before decoding, on the safe side
    else:
        text = escaped_raw(raw[: RAW_LIMIT * 2] if isinstance(raw, str) else repr(raw))
    return Problem(location=valid_text(location), reason=valid_text(reason), raw=text[:RAW_LIMIT])


def json_object_or_problem(line: bytes | str, location: str) -> dict | Problem:
    """One JSON-lines record as a dict, or the Problem saying why it is not one."""
    # An invalid byte becomes U+FFFD: one bad character should not cost the whole record.
    text = line.decode("utf-8", errors="replace") if isinstance(line, bytes) else line
    try:
        item = json.loads(text)
    except ValueError as exc:
        return make_problem(location, f"malformed JSON: {exc}", line)
    except RecursionError:  # "[[[[…" nested deeper than Python's stack: one bad line, not a crash
        return make_problem(location, "malformed JSON: nested too deeply", line)
    if not isinstance(item, dict):
        return make_problem(location, f"expected a JSON object, got {type(item).__name__}", line)
    return item


def record_or_problem(location: str, raw: object, **fields) -> PaperRecord | Problem:
    """``build_record(**fields)``, or a Problem carrying the reason and the raw input."""
    try:
        record = build_record(**fields)
    except InvalidRecord as exc:
        return make_problem(location, str(exc), raw)
    except (TypeError, ValueError) as exc:
        # A value of the wrong JSON type (a number where a list belongs) and the like.
        return make_problem(location, f"unreadable record: {exc}", raw)
    record.origin = Origin(location, raw)  # for the quarantine, should the database refuse it
    return record


@contextmanager
def open_binary(source: str | Path | BinaryIO) -> Iterator[BinaryIO]:
    """Open a path or use a binary stream; gzip is recognised by its magic bytes, not the name.

    A path is closed on exit; a stream passed in stays the caller's to close.
    """
    owned = isinstance(source, (str, Path))
    stream = open(source, "rb") if owned else source
    try:
        if not hasattr(stream, "peek") and not stream.seekable():
            stream = io.BufferedReader(stream)  # to look at the first bytes without losing them
        if hasattr(stream, "peek"):
            head = stream.peek(2)[:2]
        else:
            position = stream.tell()
            head = stream.read(2)
            stream.seek(position)
        yield gzip.GzipFile(fileobj=stream) if head == b"\x1f\x8b" else stream
    finally:
        if owned:
            stream.close()


def source_name(source: str | Path | BinaryIO, name: str | None = None) -> str:
    if name:
        return name
    if isinstance(source, (str, Path)):
        return Path(source).name
    return getattr(source, "name", None) or "<stream>"
