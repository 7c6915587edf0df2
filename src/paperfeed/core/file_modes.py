"""Who may read what paperfeed writes: only the user it runs as.

The data directory holds the SQLite database (sessions, password hashes), its -wal and -shm
files, the secret key, backups, the model cache and the vector index. Every file paperfeed
writes there is 0600 and every folder 0700, whatever the umask of the shell, cron or service
manager that started it:

- `restrict_umask()` runs first thing in the `paperfeed` command and the WSGI module, so every
  file the process makes — also those made by libraries (SQLite, faiss, ONNX) — gets no group
  or other bits. SQLite gives -wal and -shm the mode of the database file itself.
- `loose_paths()` finds what an older version, a restore by hand or a `chmod` left open;
  `paperfeed status` lists them with the command that fixes them, and `init`, `serve` and
  `demo` close them (`tighten()`).

Two exceptions, by design: `thumbnails/` holds public pictures of public papers that a front
web server may serve itself (thumbnails/files.py makes them 0644 in 0755 folders), and the
data directory itself may have execute bits for group and others (an operator's
`chmod o+x`), so that such a web server can pass through it to `thumbnails/`
(docs/operations.md) — it can then open nothing else, since everything else is 0600 in 0700
folders. A data directory others may read or write is made 0700.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

PRIVATE_UMASK = 0o077
# Folders of the data directory whose files are public on purpose (see the module's docstring).
PUBLIC_FOLDERS = ("thumbnails",)
# The data directory may be passed through (x) by group and others, never listed or written.
DATA_DIR_FORBIDDEN = 0o066


def restrict_umask() -> None:
    """From here on, files and folders this process makes are for its user only."""
    os.umask(PRIVATE_UMASK)


@dataclass(frozen=True)
class LoosePath:
    path: Path
    mode: int  # the permission bits found
    wanted: int  # the permission bits it should have

    @property
    def fix(self) -> str:
        return f"chmod {self.wanted:o} {_shell_quote(str(self.path))}"

    def as_dict(self) -> dict:
        return {"path": str(self.path), "mode": f"{self.mode:04o}", "wanted": f"{self.wanted:04o}", "fix": self.fix}


def loose_paths(data_dir: Path | None = None, database: Path | None = None) -> list[LoosePath]:
    """Every file or folder paperfeed keeps that others may read, write or list.

    Defaults: the configured data directory, and the SQLite database file (with -wal, -shm and
    -journal) when it lives elsewhere.
    """
    from django.conf import settings

    data_dir = Path(settings.DATA_DIR if data_dir is None else data_dir)
    if database is None:
        db = settings.DATABASES["default"]
        if db["ENGINE"] == "django.db.backends.sqlite3" and str(db["NAME"]) != ":memory:":
            database = Path(db["NAME"])
    found: list[LoosePath] = []
    root_mode = _mode(data_dir)
    if root_mode is not None and root_mode & DATA_DIR_FORBIDDEN:
        # Readable or writable by others: a plain umask default (0755), not a choice to let a
        # web server through, so it becomes 0700; `chmod o+x` after that is kept.
        found.append(LoosePath(data_dir, root_mode, root_mode & 0o700))
    if root_mode is not None:
        found.extend(_walk(data_dir))
    if database is not None and not _is_inside(database, data_dir):
        for path in (database, *(Path(f"{database}{suffix}") for suffix in ("-wal", "-shm", "-journal"))):
            mode = _mode(path)
            if mode is not None and mode & 0o077:
                found.append(LoosePath(path, mode, mode & 0o700))
    return found


def tighten(data_dir: Path | None = None, database: Path | None = None) -> list[LoosePath]:
    """Remove the group and other bits `loose_paths` finds; returns what it changed.

    A path that cannot be changed (another owner) is left as it is and stays in the list of
    `paperfeed status`.
    """
    changed = []
    for loose in loose_paths(data_dir, database):
        try:
            os.chmod(loose.path, loose.wanted, follow_symlinks=False)
        except (OSError, NotImplementedError):
            continue
        changed.append(loose)
    return changed


def _walk(data_dir: Path):
    for folder, dirs, files in os.walk(data_dir):
        if Path(folder) == data_dir:
            dirs[:] = [d for d in dirs if d not in PUBLIC_FOLDERS]
        for name in dirs:
            path = Path(folder) / name
            mode = _mode(path)
            if mode is not None and mode & 0o077:
                yield LoosePath(path, mode, mode & 0o700)
        for name in files:
            path = Path(folder) / name
            mode = _mode(path)
            if mode is not None and mode & 0o077:
                yield LoosePath(path, mode, mode & 0o700)


def _mode(path: Path) -> int | None:
    """The permission bits of a file or folder; None when it is missing or a symbolic link
    (a link's own bits mean nothing, and what it points to is not paperfeed's to judge)."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if stat.S_ISLNK(info.st_mode):
        return None
    return stat.S_IMODE(info.st_mode)


def _is_inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _shell_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)
