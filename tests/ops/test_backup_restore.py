"""`paperfeed backup` and `paperfeed restore`: the check script end to end, and what can go wrong.

Every test drives the real command in child processes. On the PostgreSQL run the script gets
a new database of its own on the suite's server, and the `both_databases` tests give their
children PostgreSQL databases (tests/child_databases.py), so that pg_dump and pg_restore
failures are covered there too; the other tests do not depend on the database and run on
SQLite only (tests/conftest.py).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from paperfeed.ops.backup import without_extensions
from tests.conftest import REPO_ROOT
from tests.helpers import PAPERFEED, child_query, cli_env, run_cli, start_migrated

SCRIPT = REPO_ROOT / "scripts" / "check_backup_restore.sh"
PASSWORD = "a long enough passphrase 42"


def on_postgres() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pg_bin() -> str:
    """pg_dump and pg_restore of the pgserver wheel: the server's version, which the system's may not be."""
    from tests.postgres_server import install_dir

    return str(install_dir() / "bin")


def paperfeed(data_dir: Path, *args: str, input: str | None = None, **extra: str) -> subprocess.CompletedProcess:
    if on_postgres():
        extra = {"PAPERFEED_PG_BIN": pg_bin(), **extra}
    return subprocess.run(
        [*PAPERFEED, *args],
        env=cli_env(data_dir, **extra),
        input=input,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def add_user(data_dir: Path, name: str) -> None:
    out = paperfeed(data_dir, "user", "add", name, "--email", f"{name}@example.org", input=PASSWORD + "\n")
    assert out.returncode == 0, out.stderr


def usernames(data_dir: Path) -> list[str]:
    return [row[0] for row in child_query(data_dir, "SELECT username FROM auth_user ORDER BY username")]


def site_with_backup(tmp_path: Path) -> tuple[Path, Path]:
    """A site with user ada, its backup, and then user bob (a change the restore undoes)."""
    data, backups = tmp_path / "data", tmp_path / "backups"
    add_user(data, "ada")
    out = paperfeed(data, "backup", "--out", str(backups))
    assert out.returncode == 0, out.stderr
    [archive] = backups.iterdir()  # nothing half-written or staged is left beside it
    assert archive.name.startswith("paperfeed-backup-") and archive.suffix == ".tar"
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # password hashes and the secret key are inside
    with tarfile.open(archive) as tar:
        assert tar.getnames() == ["manifest.json", json_manifest(tar)["database"], "secret_key"]
        manifest = json_manifest(tar)
    assert manifest["database_vendor"] == ("postgresql" if on_postgres() else "sqlite")
    assert manifest["row_counts"]["auth_user"] == 1 and manifest["row_counts"]["papers_paper"] == 0
    assert "vectors/" in manifest["not_included"]
    add_user(data, "bob")
    return data, archive


def json_manifest(tar: tarfile.TarFile) -> dict:
    return json.loads(tar.extractfile("manifest.json").read())


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if ".restore-" in p.name or p.name.endswith(".partial"))


# -- the check script ----------------------------------------------------------------------


@pytest.fixture
def script_database_url(django_db_setup):
    """None on SQLite (the script's own data directory); on PostgreSQL a new, empty database on
    the suite's server, dropped afterwards. Built on django_db_setup, so the PostgreSQL run keeps
    the test (tests/conftest.py)."""
    from django.conf import settings

    if not on_postgres():
        yield None
        return
    import psycopg

    from tests.child_databases import server_url

    database = settings.DATABASES["default"]
    name = f"pf_backup_check_{os.getpid()}"

    def admin(sql: str) -> None:
        with psycopg.connect(server_url(database, "postgres"), autocommit=True) as connection:
            connection.execute(sql)

    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield server_url(database, name)
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_check_script_backs_up_damages_and_restores(tmp_path, script_database_url):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PAPERFEED_DATA_DIR", "PAPERFEED_SECRET_KEY"}
    }
    program = Path(sys.executable).parent / "paperfeed"
    if program.exists():
        env["PAPERFEED"] = str(program)
    if script_database_url:
        env.update(DATABASE_URL=script_database_url, PAPERFEED_PG_BIN=pg_bin())
    work = tmp_path / "work"
    out = subprocess.run(
        ["bash", str(SCRIPT), str(work)], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "PASS: backup and restore of 2191 papers, 1 user(s)" in out.stdout
    assert "FAIL" not in out.stdout + out.stderr
    assert ("dumping the PostgreSQL database" if script_database_url else "SQLite's online backup API") in out.stdout


# -- restore: refusing, damaged archives ----------------------------------------------------


# SQLite only: on PostgreSQL the check script makes the same refusal and restore (the time of
# the PostgreSQL run goes to pg_restore).
def test_restore_refuses_a_database_holding_data_without_yes(tmp_path):
    data, archive = site_with_backup(tmp_path)
    key = (data / "secret_key").read_bytes()

    refused = paperfeed(data, "restore", str(archive))
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "refusing to restore" in refused.stderr and "2 user accounts" in refused.stderr
    assert "Pass --yes to replace it" in refused.stderr
    assert usernames(data) == ["ada", "bob"] and (data / "secret_key").read_bytes() == key

    done = paperfeed(data, "restore", str(archive), "--yes")
    assert done.returncode == 0, done.stderr
    assert "restored and verified: 0 papers, 1 user account" in done.stdout and "paperfeed index" in done.stdout
    assert usernames(data) == ["ada"] and (data / "secret_key").read_bytes() == key
    assert leftovers(data) == []

    # A new machine: an empty database needs no --yes, and gets the site's secret key.
    fresh = tmp_path / "fresh"
    moved = paperfeed(fresh, "restore", str(archive))
    assert moved.returncode == 0, moved.stderr
    assert usernames(fresh) == ["ada"] and (fresh / "secret_key").read_bytes() == key
    assert stat.S_IMODE((fresh / "secret_key").stat().st_mode) == 0o600


def _flip_inside_database(archive: bytes) -> bytes:
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        member = tar.getmember(json_manifest(tar)["database"])
    middle = member.offset_data + member.size // 2
    return archive[:middle] + bytes(b ^ 0xFF for b in archive[middle : middle + 64]) + archive[middle + 64 :]


def _with_database(archive: bytes, content: bytes) -> bytes:
    """The archive with another database member, its manifest updated to match: only the
    database's own check (SQLite's integrity check, pg_restore) can tell."""
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        manifest = json_manifest(tar)
        key = tar.extractfile("secret_key").read()
    manifest["files"][manifest["database"]] = {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in (("manifest.json", json.dumps(manifest).encode()), (manifest["database"], content)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        info = tarfile.TarInfo("secret_key")
        info.size = len(key)
        tar.addfile(info, io.BytesIO(key))
    return buffer.getvalue()


@pytest.mark.both_databases
def test_a_damaged_archive_fails_and_leaves_the_database_alone(tmp_path):
    data, archive = site_with_backup(tmp_path)
    key = (data / "secret_key").read_bytes()
    good = archive.read_bytes()
    garbage = b"this is not a database " * 2000
    cases = {
        "truncated": (good[: len(good) // 2], "is damaged or incomplete"),
        "flipped": (_flip_inside_database(good), "does not match the size and checksum in its manifest"),
        "not-a-tar": (b"not a tar file\n" * 200, "is not a paperfeed backup"),
        "garbage-database": (
            _with_database(good, garbage),
            "pg_restore failed" if on_postgres() else "its database cannot be opened (file is not a database)",
        ),
    }
    for name, (content, message) in cases.items():
        damaged = tmp_path / f"{name}.tar"
        damaged.write_bytes(content)
        out = paperfeed(data, "restore", str(damaged), "--yes")
        assert out.returncode == 1, (name, out.stdout, out.stderr)
        assert message in out.stderr, (name, out.stderr)
        assert "Traceback" not in out.stderr, (name, out.stderr)
        assert usernames(data) == ["ada", "bob"], name
        assert (data / "secret_key").read_bytes() == key, name
        assert leftovers(data) == [], name


# -- backup: failures and configuration errors ----------------------------------------------


@pytest.mark.both_databases
def test_a_failed_database_copy_exits_1_and_leaves_no_archive(tmp_path):
    data, backups = tmp_path / "data", tmp_path / "backups"
    add_user(data, "ada")
    if on_postgres():
        fake = tmp_path / "fake-bin"
        fake.mkdir()
        (fake / "pg_dump").write_text("#!/bin/sh\necho 'pg_dump: error: simulated failure' >&2\nexit 1\n")
        (fake / "pg_dump").chmod(0o755)
        out = paperfeed(data, "backup", "--out", str(backups), PAPERFEED_PG_BIN=str(fake))
        expected = "pg_dump failed (exit code 1):\npg_dump: error: simulated failure"
    else:
        (data / "paperfeed.sqlite3").write_bytes(b"this is not a database" * 1000)
        for journal in data.glob("paperfeed.sqlite3-*"):
            journal.unlink()
        out = paperfeed(data, "backup", "--out", str(backups))
        expected = "file is not a database"
    assert out.returncode == 1, out.stdout + out.stderr
    assert expected in out.stderr and "Traceback" not in out.stderr
    assert list(backups.iterdir()) == []


def test_configuration_errors_exit_2(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    nowhere = "postgresql://paperfeed@127.0.0.1:9/paperfeed"  # never reached: each check comes first
    sqlite_archive = tmp_path / "sqlite.tar"
    manifest = {"format": 1, "database_vendor": "sqlite", "database": "database.sqlite3", "row_counts": {}}
    manifest["files"] = {"database.sqlite3": {"bytes": 0, "sha256": hashlib.sha256(b"").hexdigest()}}
    with tarfile.open(sqlite_archive, "w") as tar:
        data = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    cases = [
        (["backup", "--out", str(blocker / "backups")], {}, "cannot create the backup directory"),
        (["backup"], {"DATABASE_URL": nowhere, "PAPERFEED_PG_BIN": str(tmp_path / "no-bin")}, "pg_dump is not in"),
        (["backup"], {"DATABASE_URL": nowhere, "PATH": str(tmp_path)}, "pg_dump was not found on PATH"),
        (["restore", str(tmp_path / "missing.tar")], {}, "does not exist"),
        (["restore", str(sqlite_archive)], {"DATABASE_URL": nowhere}, "this backup holds a sqlite database"),
    ]
    for args, extra, message in cases:
        out = run_cli(tmp_path / "data", *args, **extra)
        assert out.returncode == 2, (args, out.stdout, out.stderr)
        assert message in out.stderr, (args, out.stderr)
        assert "Traceback" not in out.stderr


# -- backup while the site writes (SQLite WAL) ----------------------------------------------

# Commits batches of 100 rows, each batch with its own `location`, until the stop file exists:
# a consistent copy holds whole batches only.
WRITER = """
import pathlib, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
stop, batch, deadline = pathlib.Path(sys.argv[2]), 0, time.monotonic() + 120
while not stop.exists() and time.monotonic() < deadline:
    db.execute("BEGIN IMMEDIATE")
    for _ in range(100):
        db.execute(
            "INSERT INTO sources_ingestproblem (source, location, reason, raw, created_at) "
            "VALUES ('load', ?, 'test', ?, datetime('now'))", (f"batch-{batch}", "x" * 200))
    db.execute("COMMIT")
    batch += 1
    time.sleep(0.005)  # leave the backups some CPU on a small machine
    if batch == 1:
        print("writing", flush=True)
print(batch, flush=True)
"""


def test_backup_while_another_process_writes_is_a_consistent_copy(tmp_path):
    data, backups, stop = tmp_path / "data", tmp_path / "backups", tmp_path / "stop"
    start_migrated(data)  # a migrated database, as `paperfeed init` leaves it (tests/helpers.py)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(data / "paperfeed.sqlite3"), str(stop)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "writing"
        for _ in range(2):
            out = run_cli(data, "backup", "--out", str(backups))
            assert out.returncode == 0, out.stderr
    finally:
        stop.touch()
        output, _ = writer.communicate(timeout=60)
    assert writer.returncode == 0
    batches = int(output.split()[-1])
    assert child_query(data, "SELECT count(*) FROM sources_ingestproblem") == [(batches * 100,)]

    archives, copied = sorted(backups.glob("paperfeed-backup-*.tar")), set()
    assert len(archives) == 2
    for archive in archives:
        copy = tmp_path / f"{archive.stem}.sqlite3"
        with tarfile.open(archive) as tar:
            manifest = json_manifest(tar)
            copy.write_bytes(tar.extractfile("database.sqlite3").read())
        db = sqlite3.connect(copy)
        try:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            rows = db.execute("SELECT count(*) FROM sources_ingestproblem").fetchone()[0]
            partial = db.execute(
                "SELECT location FROM sources_ingestproblem GROUP BY location HAVING count(*) != 100"
            ).fetchall()
        finally:
            db.close()
        assert partial == [] and 0 < rows <= batches * 100, archive.name
        assert manifest["row_counts"]["sources_ingestproblem"] == rows, archive.name
        copied.add(rows)
    assert len(copied) == 2  # the writer went on between (and during) the backups


# -- small parts ----------------------------------------------------------------------------


def test_extensions_are_left_out_of_the_restore_list():
    listing = (
        ";\n; Archive created at 2026-11-27\n"
        "2; 3079 18085 EXTENSION - vector \n"
        "3193; 0 0 COMMENT - EXTENSION vector \n"
        "297; 1255 16985 FUNCTION public paperfeed_fold(text) postgres\n"
        "285; 1259 16973 TABLE public search_papervector postgres\n"
    )
    kept, extensions = without_extensions(listing)
    assert extensions == ["vector"]
    assert "EXTENSION" not in kept
    assert "FUNCTION public paperfeed_fold(text)" in kept and "TABLE public search_papervector" in kept
