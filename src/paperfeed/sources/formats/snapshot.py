"""The arXiv metadata snapshot: one JSON object per line, the bulk dump of every paper.

Each line has 14 fields: ``id, submitter, authors, title, comments, journal-ref, doi,
report-no, categories, license, abstract, versions, update_date, authors_parsed`` where
``versions`` is ``[{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}, ...]`` and
``authors_parsed`` is ``[[last, first, suffix, (affiliation...)], ...]``. Missing values are
``null``. The full file is several GB, so it is read line by line (gzip or not) in constant
memory; a problem is located as ``file:line``. A file that cannot be read to its end (a
truncated or corrupt gzip stream) raises :class:`UnreadableInput` once every line before the
damage has been yielded: those records are good, the rest of the file is missing.

:func:`record_to_snapshot` writes a record back in the same shape (the bundled sample uses it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from paperfeed.sources.formats import (
    UNREADABLE_INPUT,
    Problem,
    UnreadableInput,
    json_object_or_problem,
    make_problem,
    open_binary,
    record_or_problem,
    source_name,
)
from paperfeed.papers.record import PaperRecord, VersionRecord
from paperfeed.sources.normalize import InvalidRecord, parse_datetime

# Far above any real line (a collaboration paper with thousands of authors is ~200 kB);
# a longer "line" is a broken or hostile file and is skipped without being held in memory.
MAX_LINE = 8 * 1024 * 1024


def iter_snapshot(source: str | Path | BinaryIO, name: str | None = None) -> Iterator[PaperRecord | Problem]:
    """Yield a PaperRecord or a Problem for every non-blank line of a snapshot file.

    Raises UnreadableInput after the last readable line of a damaged file."""
    label = source_name(source, name)
    with open_binary(source) as stream:
        number = 0
        try:
            for number, line, too_long in _lines(stream):
                location = f"{label}:{number}"
                if too_long:
                    head = line[:4096].decode("utf-8", errors="replace")
                    yield make_problem(location, f"line longer than {MAX_LINE:,} bytes", head)
                elif line.strip():
                    yield parse_snapshot_line(line, location)
        except UNREADABLE_INPUT as exc:
            raise UnreadableInput(_unreadable(label, number, exc)) from None


def _unreadable(label: str, number: int, exc: BaseException) -> str:
    return f"{label} cannot be read after line {number:,} ({exc or type(exc).__name__}): is the file complete?"


@dataclass(frozen=True)
class _Damaged:
    """Handed from the reader through a parser process: the file broke off here."""

    message: str


def iter_snapshot_parallel(
    source: str | Path | BinaryIO, workers: int, name: str | None = None, chunk: int = 500
) -> Iterator[PaperRecord | Problem]:
    """Like :func:`iter_snapshot`, with the parsing done by `workers` other processes.

    Parsing (JSON, dates, author names, links) costs about as much as storing, so on a
    machine with two or more cores the reader and the writer of a big snapshot overlap.
    Lines are read here and handed out in chunks; results come back in file order.
    """
    import multiprocessing
    import queue
    import threading

    label = source_name(source, name)
    # "spawn": a fresh interpreter that imports only the parser, never the parent's open
    # database connection.
    context = multiprocessing.get_context("spawn")
    # A feeder thread reads and hands out chunks while this thread stores; the queue bounds
    # how far it runs ahead (~16 chunks): the parser is faster than the store, and unbounded
    # it would hold the whole file's results in memory.
    pending: queue.Queue = queue.Queue(maxsize=max(16, 4 * workers))
    done = object()
    stop = threading.Event()
    failed: list[BaseException] = []  # what stopped the reader, raised here in the writer

    with context.Pool(workers) as pool:

        def feed() -> None:
            try:
                for batch in _chunks(source, label, chunk):
                    result = pool.apply_async(_parse_chunk, (batch,))
                    while not stop.is_set():
                        try:
                            pending.put(result, timeout=0.5)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
            except BaseException as exc:  # noqa: BLE001 - a reader that dies must not pass for the end of the file
                failed.append(exc)
            finally:
                pending.put(done)

        feeder = threading.Thread(target=feed, name="snapshot-reader", daemon=True)
        feeder.start()
        try:
            while (result := pending.get()) is not done:
                items = result.get()
                if items and isinstance(items[-1], _Damaged):  # the reader's last chunk
                    yield from items[:-1]
                    raise UnreadableInput(items[-1].message)
                yield from items
            if failed:
                raise failed[0]
        finally:
            stop.set()
            while feeder.is_alive():  # let the feeder notice and finish before the pool closes
                try:
                    pending.get_nowait()
                except queue.Empty:
                    feeder.join(0.1)


def _chunks(source, label: str, size: int) -> Iterator[list[tuple[str, bytes, bool]]]:
    batch: list[tuple[str, bytes, bool]] = []
    with open_binary(source) as stream:
        number = 0
        try:
            for number, line, too_long in _lines(stream):
                if too_long or line.strip():
                    batch.append((f"{label}:{number}", line[:4096] if too_long else line, too_long))
                if len(batch) >= size:
                    yield batch
                    batch = []
        except UNREADABLE_INPUT as exc:
            # backslashreplace: a file name that is not UTF-8 holds lone surrogates.
            batch.append(("", _unreadable(label, number, exc).encode("utf-8", "backslashreplace"), True))
    if batch:
        yield batch


def _parse_chunk(batch: list[tuple[str, bytes, bool]]) -> list[PaperRecord | Problem | _Damaged]:
    results: list[PaperRecord | Problem | _Damaged] = []
    for location, line, broken in batch:
        if not broken:
            results.append(parse_snapshot_line(line, location))
        elif not location:  # the file broke off: always the last entry of the last chunk
            results.append(_Damaged(line.decode()))
        else:
            results.append(make_problem(location, f"line longer than {MAX_LINE:,} bytes", line.decode("utf-8", "replace")))
    return results


def _lines(stream: BinaryIO) -> Iterator[tuple[int, bytes, bool]]:
    number = 0
    while True:
        line = stream.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            head = line
            while line and not line.endswith(b"\n"):  # drain the rest of the overlong line
                line = stream.readline(MAX_LINE + 1)
            yield number, head, True
        else:
            yield number, line, False


def parse_snapshot_line(line: bytes | str, location: str) -> PaperRecord | Problem:
    item = json_object_or_problem(line, location)
    if isinstance(item, Problem):
        return item
    raw = line  # kept as received: quarantined as is should the record be refused
    if not item.get("id") or not isinstance(item["id"], str):
        return make_problem(location, "record has no id", raw)
    versions = item.get("versions") or []
    if not isinstance(versions, list) or not all(isinstance(v, dict) for v in versions):
        return make_problem(location, "versions is not a list of objects", raw)
    try:
        updated = _updated(versions, item.get("update_date"))
    except InvalidRecord as exc:
        return make_problem(location, str(exc), raw)
    return record_or_problem(
        f"{location} ({item['id']})",
        raw,
        arxiv_id=item["id"],
        title=item.get("title"),
        abstract=item.get("abstract"),
        authors=_authors(item),
        categories=item.get("categories"),
        versions=versions,
        updated=updated,
        comments=item.get("comments"),
        journal_ref=item.get("journal-ref"),
        doi=item.get("doi"),
        report_no=item.get("report-no"),
        license=item.get("license"),
        submitter=item.get("submitter"),
    )


def _authors(item: dict) -> str | list[str]:
    """authors_parsed when usable, else the byline string (which build_record splits)."""
    parsed = item.get("authors_parsed")
    if isinstance(parsed, list) and parsed and all(isinstance(p, list) and p for p in parsed):
        names = []
        for entry in parsed:
            # [last, first, suffix, affiliation...]: the affiliation is not part of the name.
            last, first, suffix = ([str(part or "") for part in entry] + ["", ""])[:3]
            names.append(" ".join(part for part in (first, last, suffix) if part.strip()))
        return names
    return item.get("authors") or ""


def _updated(versions: list[dict], update_date: object) -> datetime | None:
    """The later of the last version's date and ``update_date``.

    ``update_date`` is when arXiv last changed the metadata (a journal-ref added, say), which
    can be long after the last version; PaperRecord.updated means "latest version or metadata
    change", so the later of the two is kept.
    """
    dates = [parse_datetime(v.get("created")) for v in versions]
    dates.append(parse_datetime(update_date))
    known = [d for d in dates if d is not None]
    return max(known) if known else None


# -- writing -----------------------------------------------------------------------------

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_created(moment: datetime) -> str:
    """arXiv's own date style, "Mon, 2 Apr 2007 19:18:42 GMT" (no zero-padded day, no locale)."""
    m = moment.astimezone(UTC)
    return f"{_DAYS[m.weekday()]}, {m.day} {_MONTHS[m.month - 1]} {m.year} {m:%H:%M:%S} GMT"


def split_name(name: str) -> list[str]:
    """A display name → snapshot ``[last, first, suffix]``; last is the final word.

    Particles ("van der") stay with the first names, which is wrong for sorting but joins back
    to the same display name, which is what the parser above reads.
    """
    suffix = ""
    body = name
    if ", " in name:
        body, _, suffix = name.rpartition(", ")
    words = body.split()
    if not words:
        return [name, "", ""]
    return [words[-1], " ".join(words[:-1]), suffix]


def record_to_snapshot(record: PaperRecord) -> dict:
    """A record as one snapshot line (all 14 fields, ``None`` where unknown)."""
    versions = list(record.versions)
    if not any(v.number == 1 for v in versions) and record.published:
        # Sources that give only v1's date (OAI, Hugging Face) still know when v1 was out.
        versions.insert(0, VersionRecord(1, record.published))
    latest = record.updated or record.published
    return {
        "id": record.arxiv_id,
        "submitter": record.submitter or None,
        "authors": ", ".join(record.authors),
        "title": record.title,
        "comments": record.comments or None,
        "journal-ref": record.journal_ref or None,
        "doi": record.doi or None,
        "report-no": record.report_no or None,
        "categories": " ".join(record.categories),
        "license": record.license or None,
        "abstract": record.abstract,
        "versions": [{"version": f"v{v.number}", "created": format_created(v.created)} for v in versions],
        "update_date": latest.astimezone(UTC).date().isoformat() if latest else None,
        "authors_parsed": [split_name(name) for name in record.authors],
    }

