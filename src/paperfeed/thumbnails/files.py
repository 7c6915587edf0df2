"""Where thumbnails live: one WebP per paper under `<data dir>/thumbnails/`, and its URL.

The file's path below that folder is the URL's path below `/thumbnails/`, so a front web
server may serve the folder itself (docs/operations.md). Papers are spread over one folder
per month or archive, so no folder holds millions of files:

    2410.18693      → thumbnails/2410/2410.18693.webp
    hep-th/9901001  → thumbnails/hep-th/9901001.webp

Files are written whole or not at all (a temporary file in the same folder, then a rename)
and are readable by everyone (0644, folders 0755): they are public pictures of public
papers, and a web server running as another user may have to read them. Nothing secret is
ever written there.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from paperfeed.papers.ids import parse_arxiv_id

FOLDER = "thumbnails"
FILE_MODE = 0o644
FOLDER_MODE = 0o755


def root() -> Path:
    return settings.DATA_DIR / FOLDER


def relative_path(arxiv_id: str) -> str:
    """`2410/2410.18693.webp` or `hep-th/9901001.webp`; ValueError for anything not an arXiv id.

    Only a canonical id (parsed, without version) becomes a path, so no `..` or other
    surprise from a URL or a database row can reach the file system.
    """
    parsed = parse_arxiv_id(arxiv_id)
    if parsed is None or parsed.id != arxiv_id:
        raise ValueError(f"not a canonical arXiv id: {arxiv_id!r}")
    if parsed.is_old_style:
        return f"{arxiv_id}.webp"
    return f"{arxiv_id[:4]}/{arxiv_id}.webp"


def path_for(arxiv_id: str) -> Path:
    return root() / relative_path(arxiv_id)


def write(arxiv_id: str, image: bytes) -> Path:
    """Replace the paper's thumbnail with `image` in one step; readers see the old or the new file."""
    target = path_for(arxiv_id)
    folder = target.parent
    for part in (root(), folder):
        try:
            part.mkdir(mode=FOLDER_MODE, parents=True)
        except FileExistsError:
            continue
        # mkdir's mode passes through the umask, which paperfeed sets to 077 (core/file_modes.py):
        # these folders are public on purpose, for a front web server running as another user.
        os.chmod(part, FOLDER_MODE)
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(image)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def url_path(arxiv_id: str, made_at: datetime) -> str:
    """The site-relative URL, versioned by when the file was made (so it can be cached for good)."""
    return f"{reverse('thumbnail', args=[relative_path(arxiv_id).removesuffix('.webp')])}?v={int(made_at.timestamp())}"


def absolute_url(arxiv_id: str, made_at: datetime) -> str:
    return settings.BASE_URL + url_path(arxiv_id, made_at)


def url_for(paper, absolute: bool = False) -> str:
    """The paper's thumbnail URL (site-relative, or absolute for the API), or "" when it has
    none — read from the row, no disk access. A row whose id cannot name a file has none."""
    made_at = getattr(paper, "thumbnail_at", None)
    if not made_at:
        return ""
    try:
        return (absolute_url if absolute else url_path)(paper.arxiv_id, made_at)
    except ValueError:
        return ""
