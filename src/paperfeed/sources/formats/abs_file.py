"""arXiv ``.abs`` files: the metadata file arXiv keeps beside each paper.

Layout (arxiv-browse's test data has 1,001 of them)::

    ------------------------------------------------------------------------------
    \\\\
    arXiv:0704.0001
    From: Pavel Nadolsky <...>
    Date: Mon, 2 Apr 2007 19:18:42 GMT   (443kb)
    Date (revised v2): Tue, 24 Jul 2007 20:10:27 GMT   (370kb)

    Title: Calculation of prompt diphoton production cross sections at Tevatron and
      LHC energies
    Authors: C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan
    Categories: hep-ph
    ...
    \\\\
      abstract, possibly several paragraphs
    \\\\

A header may wrap onto indented continuation lines. "Date:" is v1, "Date (revised vN):" is
vN; the size after each date is in parentheses. Old-style papers say "Paper: hep-th/9901001"
where new ones say "arXiv:0704.0001".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from paperfeed.papers.record import PaperRecord
from paperfeed.sources.formats import Problem, make_problem, record_or_problem

_HEADER = re.compile(r"^(?P<key>[A-Za-z][A-Za-z-]*(?: \(revised(?: v(?P<version>\d+))?\))?):\s?(?P<value>.*)$")
# "Mon, 2 Apr 2007 19:18:42 GMT   (443kb)" or "(377kb,D)": the letters after the comma
# describe the source format, not the size, so only the size part is kept.
_DATE_VALUE = re.compile(r"^(?P<date>.*?)\s*(?:\((?P<size>[^,)]*)[^)]*\))?\s*$")
_MARKER = "\\\\"


def iter_abs_files(paths: Iterable[str | Path]) -> Iterator[PaperRecord | Problem]:
    for path in paths:
        path = Path(path)
        try:
            content = path.read_bytes()
        except OSError as exc:
            yield make_problem(str(path), f"cannot read: {exc.strerror or exc}")
            continue
        # arXiv wrote these files in UTF-8; a stray Latin-1 byte should not cost the paper.
        yield parse_abs(content.decode("utf-8", errors="replace"), path.name)


def parse_abs(content: str, location: str) -> PaperRecord | Problem:
    lines = content.replace("\r\n", "\n").split("\n")
    markers = [i for i, line in enumerate(lines) if line.strip() == _MARKER]
    if len(markers) < 2:
        return make_problem(location, "no \\\\-delimited header block", content)
    header = lines[markers[0] + 1 : markers[1]]
    # The abstract runs to the third marker; a file cut short still has its abstract so far.
    end = markers[2] if len(markers) > 2 else len(lines)
    abstract = "\n".join(lines[markers[1] + 1 : end])

    fields: dict[str, str] = {}
    versions: list[dict] = []
    last_key = None
    for line in header:
        if not line.strip():
            last_key = None
            continue
        if line[:1].isspace() and last_key:  # continuation of the previous header
            if last_key in fields:
                fields[last_key] += "\n" + line
            continue
        m = _HEADER.match(line)
        if not m:
            return make_problem(location, f"unreadable header line {line[:80]!r}", content)
        key, value = m.group("key"), m.group("value")
        last_key = key.lower()
        if last_key.startswith("date"):
            number = int(m.group("version")) if m.group("version") else len(versions) + 1
            date = _DATE_VALUE.match(value)
            versions.append({"version": f"v{number}", "created": date.group("date"), "size": date.group("size") or ""})
            last_key = None
        else:
            fields[last_key] = value

    arxiv_id = fields.get("arxiv") or fields.get("paper")
    if not arxiv_id:
        return make_problem(location, "no arXiv: or Paper: line with the id", content)
    return record_or_problem(
        f"{location} ({arxiv_id.strip()})",
        content,
        arxiv_id=arxiv_id,
        title=fields.get("title", ""),
        abstract=abstract,
        authors=fields.get("authors", ""),
        categories=fields.get("categories"),
        versions=versions,
        comments=fields.get("comments", ""),
        journal_ref=fields.get("journal-ref", ""),
        doi=fields.get("doi", ""),
        report_no=fields.get("report-no", ""),
        license=fields.get("license", ""),
        submitter=_submitter(fields.get("from", "")),
    )


def _submitter(value: str) -> str:
    """ "Pavel Nadolsky <address>" → "Pavel Nadolsky" (arXiv obfuscates the address anyway)."""
    return re.sub(r"<[^>]*>", "", value).strip()
