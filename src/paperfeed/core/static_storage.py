"""Static files under hashed names, compressed ahead of time, collected by the commands that
set up or serve the site (`init`, `serve`, `demo`), so no one runs `collectstatic` by hand.

`SiteStaticStorage` is WhiteNoise's compressed manifest storage: `collectstatic` copies every
file to STATIC_ROOT under a name holding a hash of its content (`paperfeed.3f2a….css`), with
`url()` references inside CSS rewritten to the hashed names (KaTeX's fonts), and writes a
gzip and a Brotli copy beside each compressible file. WhiteNoise then sends the hashed files
with a far-future `immutable` Cache-Control, and the compressed copy a client accepts.

`collect()` runs `collectstatic` only when the files to collect changed since the last run
(a fingerprint of their names, sizes and change times, kept in STATIC_ROOT), under a file
lock, so starting a server costs a few stat calls when nothing changed and two commands
starting at once do not collect over each other. Older hashed files are left in place: a
page cached before an upgrade still finds the files it names.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import json
import os
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.management import CommandError
from whitenoise.storage import CompressedManifestStaticFilesStorage

FINGERPRINT_FILE = ".paperfeed-collected"
LOCK_FILE = ".paperfeed-collect.lock"


# KaTeX's CSS names each font three times (woff2, woff, ttf); only the woff2 files are shipped
# (scripts/vendor_assets.sh: every browser that runs KaTeX takes woff2 first) and the CSS is
# kept as published. These references, and only these, may name a file that is not there.
NOT_SHIPPED = re.compile(r"^vendor/katex/fonts/[^/]+\.(woff|ttf)$")


class SiteStaticStorage(CompressedManifestStaticFilesStorage):
    """Strict once collected: a `{% static %}` or CSS `url()` naming a file that is not there is
    an error, as in Django's manifest storage (KaTeX's unshipped fonts aside). Before the first
    collection (a command that renders an e-mail in a fresh data directory, a test process)
    names are left unhashed, and WhiteNoise serves those files straight from the package
    (WHITENOISE_USE_FINDERS)."""

    # Written with the process's umask (077 under paperfeed's commands: its user's alone, as
    # everything in the data directory), not chmod-ed afterwards to Django's
    # FILE_UPLOAD_PERMISSIONS (0644), which opened every hashed copy and the manifest to other
    # users — `paperfeed status` then listed them and the next start closed them again.
    file_permissions_mode = None
    directory_permissions_mode = None

    def stored_name(self, name):
        if not self.hashed_files:
            return name
        return super().stored_name(name)

    def hashed_name(self, name, content=None, filename=None):
        if content is None and NOT_SHIPPED.match(self.clean_name(name)) and not self.exists(filename or name):
            return name  # the reference stays as written; browsers never fetch it
        return super().hashed_name(name, content, filename)


@dataclass(frozen=True)
class Collected:
    files: int  # files copied or hashed this time; 0 when nothing had changed
    seconds: float

    def __str__(self) -> str:
        if not self.files:
            return "static files: up to date"
        return f"static files: collected and compressed {self.files} files in {self.seconds:.1f} s ({settings.STATIC_ROOT})"


def fingerprint() -> str:
    """What a collection depends on: every source file's name, size and change time, the
    storage, and whether Brotli copies can be made."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    parts = [settings.STORAGES["staticfiles"]["BACKEND"], str(importlib.util.find_spec("brotli") is not None)]
    for part in parts:
        digest.update(part.encode() + b"\0")
    entries = []
    for finder in get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            entries.append(f"{storage.location}\0{getattr(storage, 'prefix', '') or ''}/{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def collect() -> Collected:
    """Collect the static files into STATIC_ROOT if they changed since the last collection.
    A STATIC_ROOT that cannot be written is a configuration error (CommandError, exit 2)."""
    try:
        return _collect()
    except OSError as exc:
        raise CommandError(
            f"cannot write the static files to {settings.STATIC_ROOT} ({exc.strerror or exc}); "
            "set PAPERFEED_STATIC_ROOT to a writable directory",
            returncode=2,
        ) from None


def _collect() -> Collected:
    from django.core.management import call_command

    root = settings.STATIC_ROOT
    root.mkdir(parents=True, exist_ok=True)
    stamp = root / FINGERPRINT_FILE
    wanted = fingerprint()
    if _read(stamp) == wanted and (root / "staticfiles.json").exists():
        return Collected(0, 0.0)
    with open(root / LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another command may be collecting: wait for it
        if _read(stamp) == wanted and (root / "staticfiles.json").exists():
            return Collected(0, 0.0)
        started = time.monotonic()
        stamp.unlink(missing_ok=True)  # a collection cut short leaves no stamp behind
        call_command("collectstatic", interactive=False, verbosity=0)
        stamp.write_text(wanted + "\n")
    return Collected(_count(root / "staticfiles.json"), time.monotonic() - started)


def _read(path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def _count(manifest) -> int:
    try:
        return max(1, len(json.loads(manifest.read_text())["paths"]))
    except (OSError, ValueError, KeyError, TypeError):
        return 1
