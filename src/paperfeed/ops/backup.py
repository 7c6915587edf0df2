"""Backups of a whole site in one file (`paperfeed backup`), and restoring them (`paperfeed restore`).

An archive ``paperfeed-backup-<UTC time>.tar`` (plain tar, mode 0600: it holds password
hashes and the secret key) has three members:

* ``manifest.json`` first, so a reader knows what to expect before the large member: the
  paperfeed version, the database vendor, the creation time, the row count of every table of
  every installed model, and the size and SHA-256 of the other members;
* ``database.sqlite3`` (a copy made with SQLite's online backup API) or ``database.pgdump``
  (``pg_dump --format=custom``);
* ``secret_key``, the data directory's key file, when there is one.

Left out on purpose: the file vector index (``<data dir>/vectors``) and the model cache, which
are made again from the database and the model (``paperfeed index``, first use).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.management import CommandError
from django.db import DatabaseError, connection, transaction

import paperfeed
from paperfeed.config import SECRET_KEY_FILE, env_str
from paperfeed.core.preflight import describe_database, tables_filled_by_migrate

FORMAT = 1
MANIFEST = "manifest.json"
SECRET_KEY = "secret_key"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ARCHIVE_PREFIX = "paperfeed-backup-"
NOT_INCLUDED = {
    "vectors/": "the file vector index of the data directory: `paperfeed index` rebuilds it from the embeddings, "
    "which are in the database",
    "models/": "the embedding model cache: made again on first use",
}
# libpq parameters that DATABASE_URL's query string may carry (dj-database-url puts them in
# OPTIONS); Django's own options there (pool, isolation level, …) mean nothing to pg_dump.
LIBPQ_OPTIONS = {
    "sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl", "sslpassword", "connect_timeout", "options",
    "application_name", "target_session_attrs", "passfile", "service", "channel_binding", "gssencmode",
}  # fmt: skip
CHUNK = 1 << 20

Say = Callable[[str], None]


def failure(message: str) -> CommandError:
    return CommandError(message, returncode=1)


def config_error(message: str) -> CommandError:
    return CommandError(message, returncode=2)


# -- the database ---------------------------------------------------------------------------


def database_vendor() -> str:
    if connection.vendor not in DATABASE_MEMBER:
        raise config_error(f"backups support SQLite and PostgreSQL, not {connection.vendor}")
    return connection.vendor


def model_tables() -> list[str]:
    """The tables of every installed model, many-to-many tables included (read from the models, not the database)."""
    return sorted(connection.introspection.django_table_names(only_existing=False, include_views=False))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def live_row_counts(tables: list[str] | None = None) -> dict[str, int]:
    """Rows per table in the configured database, for the tables that exist there."""
    existing = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in model_tables() if tables is None else tables:
            if table in existing:
                cursor.execute(f"SELECT count(*) FROM {_quote(table)}")
                counts[table] = cursor.fetchone()[0]
    return counts


def sqlite_row_counts(db: sqlite3.Connection, tables: list[str]) -> dict[str, int]:
    existing = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {t: db.execute(f"SELECT count(*) FROM {_quote(t)}").fetchone()[0] for t in tables if t in existing}


def describe_counts(counts: dict[str, int]) -> str:
    from django.contrib.auth import get_user_model

    from paperfeed.papers.models import Paper

    data = {t: n for t, n in counts.items() if t not in tables_filled_by_migrate()}
    papers = data.get(Paper._meta.db_table, 0)
    users = data.get(get_user_model()._meta.db_table, 0)
    filled = sum(1 for n in data.values() if n)
    return (
        f"{_plural(papers, 'paper')}, {_plural(users, 'user account')}, "
        f"{_plural(sum(data.values()), 'row')} in {_plural(filled, 'table')}"
    )


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def sqlite_path() -> Path:
    name = str(settings.DATABASES["default"]["NAME"] or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        raise config_error(f"cannot back up or restore the SQLite database {name!r}: it is not a plain file")
    return Path(name)


# -- PostgreSQL client programs ---------------------------------------------------------------


def pg_program(name: str) -> Path:
    """pg_dump or pg_restore: from PAPERFEED_PG_BIN when set, else from PATH."""
    directory = settings.PAPERFEED_PG_BIN
    if directory:
        path = Path(directory) / name
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise config_error(f"{name} is not in PAPERFEED_PG_BIN ({directory})")
        return path
    found = shutil.which(name)
    if not found:
        raise config_error(
            f"{name} was not found on PATH: install PostgreSQL's client programs (of the server's major "
            "version or newer), or set PAPERFEED_PG_BIN to the directory that holds them"
        )
    return Path(found)


def pg_connection() -> tuple[str, dict[str, str]]:
    """A libpq connection string for the configured database, and the environment to run a client in.

    Built from Django's parsed settings, so pg_dump reaches exactly the database Django does.
    The password goes into the environment, not the command line, where `ps` would show it.
    """
    from psycopg.conninfo import make_conninfo

    db = settings.DATABASES["default"]
    params = {"dbname": db.get("NAME"), "host": db.get("HOST"), "port": db.get("PORT"), "user": db.get("USER")}
    params.update({k: v for k, v in (db.get("OPTIONS") or {}).items() if k in LIBPQ_OPTIONS})
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return make_conninfo(**{k: str(v) for k, v in params.items() if v not in (None, "")}), env


def run_pg(program: Path, args: list[str], env: dict[str, str]) -> str:
    """Run a PostgreSQL client program; its standard output, or a failure showing its standard error."""
    result = subprocess.run([str(program), *args], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise failure(f"{program.name} failed (exit code {result.returncode}):\n{result.stderr.strip()}")
    return result.stdout


# -- making a backup ------------------------------------------------------------------------


def copy_sqlite(source: Path, dest: Path) -> dict[str, int]:
    """A consistent copy of the live SQLite database; returns the row counts of the copy.

    The online backup API copies all pages in one step, inside one read transaction: in WAL
    mode that never blocks the site's writers, and the copy is the database as of one moment.
    Copying in several steps would start over whenever another process writes, and might
    never finish on a busy site.
    """
    if not source.is_file():
        raise failure(f"{describe_database()} does not exist: nothing to back up (run `paperfeed init`)")
    try:
        with closing(sqlite3.connect(source, timeout=30)) as src, closing(sqlite3.connect(dest)) as dst:
            src.backup(dst)
            # One self-contained file in the archive: no -wal beside it to lose on the way.
            dst.execute("PRAGMA journal_mode=DELETE")
            return sqlite_row_counts(dst, model_tables())
    except sqlite3.Error as exc:
        raise failure(f"cannot copy {describe_database()}: {exc}") from None


def dump_postgres(pg_dump: Path, dest: Path) -> dict[str, int]:
    """pg_dump of the configured database; returns the row counts of the very snapshot dumped.

    The rows are counted in a REPEATABLE READ transaction whose snapshot pg_dump then shares
    (--snapshot), so the manifest describes the dump exactly while the site goes on writing.
    """
    conninfo, env = pg_connection()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            counts = live_row_counts()
            args = [
                "--format=custom",
                f"--file={dest}",
                f"--snapshot={snapshot}",
                "--no-password",
                "--dbname",
                conninfo,
            ]
            run_pg(pg_dump, args, env)
    except DatabaseError as exc:
        raise failure(f"cannot read {describe_database()}: {exc}") from None
    return counts


def prepare_out_dir(out_dir: Path) -> Path:
    out_dir = Path(out_dir).expanduser().resolve()
    try:
        out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise config_error(f"cannot create the backup directory {out_dir}: {exc.strerror}") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise config_error(f"the backup directory {out_dir} is not writable")
    return out_dir


def read_secret_key_file() -> bytes | None:
    # The key is made on first use (config.lazy_secret_key): a site that has not used it yet
    # gets it now, so the archive holds the key the site will sign with. None when
    # PAPERFEED_SECRET_KEY is set instead.
    str(settings.SECRET_KEY)
    try:
        return (settings.DATA_DIR / SECRET_KEY_FILE).read_bytes()
    except FileNotFoundError:
        return None


def sha256_of(data: bytes | Path) -> str:
    if isinstance(data, bytes):
        return hashlib.sha256(data).hexdigest()
    digest = hashlib.sha256()
    with open(data, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def build_manifest(vendor: str, created: datetime, counts: dict[str, int], files: dict[str, Path | bytes]) -> dict:
    return {
        "format": FORMAT,
        "paperfeed_version": paperfeed.__version__,
        "database_vendor": vendor,
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "database": DATABASE_MEMBER[vendor],
        "files": {
            name: {"bytes": len(data) if isinstance(data, bytes) else data.stat().st_size, "sha256": sha256_of(data)}
            for name, data in files.items()
        },
        "row_counts": counts,
        "not_included": NOT_INCLUDED,
    }


def _tar_info(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), 0o600
    return info


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def archive_path(out_dir: Path, created: datetime) -> Path:
    """A new name: two backups within one second must not overwrite each other."""
    stem = ARCHIVE_PREFIX + created.strftime("%Y%m%dT%H%M%SZ")
    path, n = out_dir / f"{stem}.tar", 1
    while path.exists():
        path, n = out_dir / f"{stem}-{n}.tar", n + 1
    return path


def write_archive(final: Path, manifest: dict, files: dict[str, Path | bytes]) -> None:
    """Write the tar under a hidden temporary name, flush it to disk, then rename it.

    A crash or a full disk leaves no half-written `paperfeed-backup-*.tar` that a retention
    script or a later restore would take for a good backup.
    """
    partial = final.with_name(f".{final.name}.partial")
    now = time.time()
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                data = json.dumps(manifest, indent=2).encode()
                tar.addfile(_tar_info(MANIFEST, len(data), now), io.BytesIO(data))
                for name, content in files.items():
                    if isinstance(content, bytes):
                        tar.addfile(_tar_info(name, len(content), now), io.BytesIO(content))
                    else:
                        with open(content, "rb") as f:
                            tar.addfile(_tar_info(name, content.stat().st_size, now), f)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, final)
        _fsync_dir(final.parent)
    except OSError as exc:
        raise failure(f"cannot write {final}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    seconds: float


def create_backup(out_dir: Path, say: Say) -> BackupResult:
    started = time.monotonic()
    vendor = database_vendor()
    pg_dump = pg_program("pg_dump") if vendor == "postgresql" else None  # a missing program is found before any work
    out_dir = prepare_out_dir(out_dir)
    created = datetime.now(UTC).replace(microsecond=0)
    try:
        # Staged inside the output directory (created 0700): same file system for the final
        # rename, and no copy of the data lands in a world-readable /tmp.
        staging = tempfile.TemporaryDirectory(dir=out_dir, prefix=".paperfeed-backup-")
    except OSError as exc:
        raise config_error(f"cannot write in the backup directory {out_dir}: {exc.strerror}") from None
    with staging as tmp:
        database_file = Path(tmp) / DATABASE_MEMBER[vendor]
        if vendor == "sqlite":
            say(f"copying {describe_database()} with SQLite's online backup API")
            counts = copy_sqlite(sqlite_path(), database_file)
        else:
            say(f"dumping {describe_database()} with {pg_dump}")
            counts = dump_postgres(pg_dump, database_file)
        say(f"database: {database_file.stat().st_size / 1e6:,.1f} MB; {describe_counts(counts)}")
        files: dict[str, Path | bytes] = {DATABASE_MEMBER[vendor]: database_file}
        key = read_secret_key_file()
        if key is None:
            say("no secret_key file in the data directory (PAPERFEED_SECRET_KEY is set?): keep that key yourself")
        else:
            files[SECRET_KEY] = key
            say("secret_key: included")
        manifest = build_manifest(vendor, created, counts, files)
        final = archive_path(out_dir, created)
        write_archive(final, manifest, files)
    return BackupResult(final, manifest, time.monotonic() - started)


# -- reading a backup -----------------------------------------------------------------------


class Archive:
    """A backup archive whose manifest has been read and checked; members are checked as they are read."""

    def __init__(self, path: Path, tar: tarfile.TarFile, manifest: dict):
        self.path, self.tar, self.manifest = path, tar, manifest

    def damaged(self, why: str) -> CommandError:
        return failure(f"{self.path} is damaged or incomplete: {why}. Nothing was changed; use another backup.")

    def _member(self, name: str) -> tarfile.TarInfo:
        try:
            return self.tar.getmember(name)
        except KeyError:
            raise self.damaged(f"it has no {name}") from None
        except (tarfile.TarError, OSError) as exc:
            raise self.damaged(str(exc)) from None

    def copy_member(self, name: str, out: BinaryIO) -> None:
        """Write one member to `out`, checking its size and SHA-256 against the manifest."""
        expected = self.manifest["files"].get(name)
        if not isinstance(expected, dict):
            raise self.damaged(f"the manifest does not describe {name}")
        digest, size = hashlib.sha256(), 0
        try:
            source = self.tar.extractfile(self._member(name))
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        except (tarfile.TarError, EOFError) as exc:
            raise self.damaged(f"{name} cannot be read ({exc})") from None
        if size != expected.get("bytes") or digest.hexdigest() != expected.get("sha256"):
            raise self.damaged(f"{name} does not match the size and checksum in its manifest")

    def read_member(self, name: str) -> bytes:
        buffer = io.BytesIO()
        self.copy_member(name, buffer)
        return buffer.getvalue()


def check_manifest(manifest: object) -> str | None:
    """What is wrong with a manifest, or None."""
    if not isinstance(manifest, dict):
        return "its manifest is not a JSON object"
    if manifest.get("format") != FORMAT:
        return f"its manifest has format {manifest.get('format')!r}; this paperfeed reads format {FORMAT}"
    if manifest.get("database_vendor") not in DATABASE_MEMBER:
        return f"unknown database vendor {manifest.get('database_vendor')!r}"
    for key in ("files", "row_counts"):
        if not isinstance(manifest.get(key), dict):
            return f"its manifest has no {key}"
    if DATABASE_MEMBER[manifest["database_vendor"]] not in manifest["files"]:
        return "its manifest lists no database"
    return None


@contextmanager
def open_archive(path: Path) -> Iterator[Archive]:
    path = Path(path)
    if not path.is_file():
        raise config_error(f"{path} does not exist or is not a file")
    try:
        # Opened apart from the `with tar:` below, so that its errors are told apart from the caller's.
        tar = tarfile.open(path, mode="r:")  # noqa: SIM115
    except PermissionError as exc:
        raise config_error(f"cannot read {path}: {exc.strerror}") from None
    except (tarfile.TarError, OSError) as exc:
        raise failure(f"{path} is not a paperfeed backup, or is damaged ({exc}). Nothing was changed.") from None
    with tar:
        archive = Archive(path, tar, {})
        try:
            manifest = json.loads(archive.tar.extractfile(archive._member(MANIFEST)).read())
        except (tarfile.TarError, EOFError, ValueError) as exc:
            raise archive.damaged(f"its manifest cannot be read ({exc})") from None
        problem = check_manifest(manifest)
        if problem:
            raise archive.damaged(problem)
        archive.manifest = manifest
        yield archive


# -- restoring ------------------------------------------------------------------------------


def data_held() -> dict[str, int]:
    """Rows of the site's data in the configured database (tables with rows only)."""
    try:
        counts = live_row_counts()
    except DatabaseError as exc:
        raise config_error(
            f"refusing to restore: {describe_database()} cannot be read ({exc}); pass --yes to replace it"
        ) from None
    return {t: n for t, n in counts.items() if n and t not in tables_filled_by_migrate()}


def _copy_ownership(model: Path, path: Path) -> None:
    """Give `path` the owner and mode of the file it replaces: a restore run as root must not
    leave the site's own user unable to write its database or read its key."""
    try:
        st = model.stat()
    except FileNotFoundError:
        return
    os.chmod(path, st.st_mode & 0o7777)
    if os.geteuid() == 0:
        os.chown(path, st.st_uid, st.st_gid)


def _staged_file(directory: Path, name: str) -> Path:
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, staged = tempfile.mkstemp(dir=directory, prefix=f".{name}.restore-")
    except OSError as exc:
        raise config_error(f"cannot write in {directory}: {exc.strerror}") from None
    os.close(fd)
    return Path(staged)


def check_sqlite_copy(path: Path, expected: dict[str, int], archive: Archive) -> None:
    """The archived database must pass SQLite's integrity check and hold the manifest's rows."""
    try:
        with closing(sqlite3.connect(path)) as db:
            verdict = [row[0] for row in db.execute("PRAGMA integrity_check")]
            counts = sqlite_row_counts(db, list(expected))
    except sqlite3.Error as exc:
        raise archive.damaged(f"its database cannot be opened ({exc})") from None
    if verdict != ["ok"]:
        raise archive.damaged("its database fails SQLite's integrity check: " + "; ".join(verdict[:5]))
    wrong = mismatches(expected, counts)
    if wrong:
        raise archive.damaged("its database does not hold the rows its manifest lists: " + "; ".join(wrong[:5]))


def _retire_journals(target: Path) -> None:
    """Remove the old database's -wal, -shm and -journal before the new file takes its name.

    SQLite would replay a leftover WAL or hot journal into whatever file has the name: into
    the restored database, which that would corrupt. Checkpointing first means that even a
    crash between here and the rename loses nothing of the old database.
    """
    if target.exists():
        try:
            with closing(sqlite3.connect(target, timeout=10)) as old:
                old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass  # a damaged database is what is being replaced
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)


def restore_sqlite(archive: Archive, say: Say) -> None:
    target = sqlite_path()
    staged = _staged_file(target.parent, target.name)
    try:
        say(f"checking the archived database (SQLite integrity check, {len(archive.manifest['row_counts'])} tables)")
        with open(staged, "wb") as out:
            archive.copy_member(DATABASE_MEMBER["sqlite"], out)
            out.flush()
            os.fsync(out.fileno())
        check_sqlite_copy(staged, archive.manifest["row_counts"], archive)
        _copy_ownership(target, staged)
        connection.close()
        _retire_journals(target)
        os.replace(staged, target)
        _fsync_dir(target.parent)
        say(f"replaced {describe_database()}")
    finally:
        staged.unlink(missing_ok=True)


def restore_postgres(archive: Archive, pg_restore: Path, say: Say) -> None:
    conninfo, env = pg_connection()
    try:
        # In the data directory rather than /tmp: dumps can be large, and /tmp small or shared.
        staging = tempfile.TemporaryDirectory(dir=settings.DATA_DIR, prefix=".restore-")
    except OSError as exc:
        raise config_error(f"cannot write in the data directory {settings.DATA_DIR}: {exc.strerror}") from None
    with staging as tmp:
        dump = Path(tmp) / DATABASE_MEMBER["postgresql"]
        with open(dump, "wb") as out:
            archive.copy_member(DATABASE_MEMBER["postgresql"], out)
        # Reading the dump's table of contents first: a dump pg_restore cannot read fails here,
        # before anything in the database is touched.
        listing, extensions = without_extensions(run_pg(pg_restore, ["--list", str(dump)], env))
        (Path(tmp) / "restore.list").write_text(listing)
        ensure_extensions(extensions)
        connection.close()
        say(f"restoring {describe_database()} with pg_restore (one transaction: a failure changes nothing)")
        args = ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--no-password", "--dbname", conninfo]
        run_pg(pg_restore, [*args, f"--use-list={Path(tmp) / 'restore.list'}", str(dump)], env)


# `pg_restore --list` lines: "2; 3079 18085 EXTENSION - vector", "3193; 0 0 COMMENT - EXTENSION vector"
_EXTENSION_ENTRY = re.compile(r"^\d+; \d+ \d+ (?:EXTENSION - (\S+)|COMMENT - EXTENSION \S+)")


def without_extensions(listing: str) -> tuple[str, list[str]]:
    """The dump's table of contents without its extensions, and the extensions' names.

    Extensions (pgvector's `vector`) belong to the database's administrator: with --clean,
    pg_restore would drop and create them, which the site's own role may not do, and which
    would fail the whole restore. They are left as they are, and only created when missing.
    """
    kept, extensions = [], []
    for line in listing.splitlines():
        match = _EXTENSION_ENTRY.match(line)
        if match is None:
            kept.append(line)
        elif match.group(1):
            extensions.append(match.group(1))
    return "\n".join(kept) + "\n", extensions


def ensure_extensions(names: list[str]) -> None:
    for name in names:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_extension WHERE extname = %s", [name])
                if cursor.fetchone() is None:
                    cursor.execute(f"CREATE EXTENSION IF NOT EXISTS {_quote(name)}")
        except DatabaseError as exc:
            raise failure(
                f"the backup needs the PostgreSQL extension {name}, which {describe_database()} lacks ({exc}). "
                f"Run `CREATE EXTENSION {name};` in it as a superuser, then restore again."
            ) from None


def write_private_file(path: Path, data: bytes) -> None:
    """Replace `path` atomically with `data`, readable by its owner only."""
    staged = _staged_file(path.parent, path.name)
    try:
        os.chmod(staged, 0o600)
        with open(staged, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        _copy_ownership(path, staged)
        os.chmod(staged, 0o600)
        os.replace(staged, path)
    except OSError as exc:
        raise failure(f"the database was restored, but {path} could not be written: {exc.strerror}") from None
    finally:
        staged.unlink(missing_ok=True)


def restore_secret_key(archive: Archive, say: Say) -> None:
    if SECRET_KEY not in archive.manifest["files"]:
        say("the backup holds no secret_key (PAPERFEED_SECRET_KEY was set?): keep using the same key")
        return
    write_private_file(settings.DATA_DIR / SECRET_KEY_FILE, archive.read_member(SECRET_KEY))
    say(f"restored {settings.DATA_DIR / SECRET_KEY_FILE}")
    if env_str("PAPERFEED_SECRET_KEY", ""):
        say("note: PAPERFEED_SECRET_KEY is set, and is used instead of the restored file")


def mismatches(expected: dict[str, int], actual: dict[str, int]) -> list[str]:
    return [
        f"{table}: {actual[table]:,} rows, the backup has {n:,}" if table in actual else f"{table}: missing"
        for table, n in sorted(expected.items())
        if actual.get(table) != n
    ]


def verify_restored(expected: dict[str, int]) -> None:
    connection.close()  # a fresh connection: it must see the restored database, not a cached one
    try:
        actual = live_row_counts(list(expected))
    except DatabaseError as exc:
        raise failure(f"the restored {describe_database()} cannot be read: {exc}") from None
    wrong = mismatches(expected, actual)
    if wrong:
        raise failure("the restored database does not match the backup's manifest:\n  " + "\n  ".join(wrong))


def restore_backup(path: Path, yes: bool, say: Say) -> dict:
    """Restore an archive into the configured database and data directory; returns its manifest."""
    vendor = database_vendor()
    with open_archive(path) as archive:
        manifest = archive.manifest
        say(
            f"backup of {manifest.get('created_at', '?')} by paperfeed {manifest.get('paperfeed_version', '?')}: "
            f"{describe_counts(manifest['row_counts'])}"
        )
        if manifest["database_vendor"] != vendor:
            raise config_error(
                f"this backup holds a {manifest['database_vendor']} database, but {describe_database()} is "
                f"configured: restore it where DATABASE_URL names a {manifest['database_vendor']} database"
            )
        pg_restore = pg_program("pg_restore") if vendor == "postgresql" else None
        if not yes:
            held = data_held()
            if held:
                raise config_error(
                    f"refusing to restore: {describe_database()} holds {describe_counts(held)}, which the "
                    "backup would replace. Pass --yes to replace it."
                )
        if vendor == "sqlite":
            restore_sqlite(archive, say)
        else:
            restore_postgres(archive, pg_restore, say)
        restore_secret_key(archive, say)
    verify_restored(manifest["row_counts"])
    return manifest
