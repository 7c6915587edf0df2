"""Running the real `paperfeed` command in a child process, against its own data directory."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

PAPERFEED = [sys.executable, "-m", "paperfeed"]

# Where children keep their data: None = each data directory's own SQLite file. On the
# PostgreSQL run, tests marked `both_databases` set this (tests/conftest.py) so that each
# data directory gets its own PostgreSQL database instead (tests/child_databases.py).
child_databases = None


def child_database_url(data_dir: Path) -> str | None:
    return child_databases.url_for(data_dir) if child_databases is not None else None


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    # Servers started by tests run no scheduled jobs unless a test asks (tests/jobs/): a digest
    # sent at :05 in the middle of another test would change what that test checks.
    env.setdefault("PAPERFEED_JOBS", "off")
    env.update(PAPERFEED_DATA_DIR=str(data_dir), **extra)
    if url := child_database_url(data_dir):
        env["DATABASE_URL"] = url
    return env


def child_query(data_dir: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows from the database of the children using `data_dir` (read-only on SQLite).

    Write SQL with `?` placeholders; on PostgreSQL they become `%s`. Raises the driver's
    error when the database or table does not exist yet.
    """
    if url := child_database_url(data_dir):
        import psycopg

        with psycopg.connect(url) as connection:
            return [tuple(row) for row in connection.execute(sql.replace("?", "%s"), params).fetchall()]
    import sqlite3

    connection = sqlite3.connect(f"file:{Path(data_dir) / 'paperfeed.sqlite3'}?mode=ro", uri=True, timeout=10)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


# Commands whose subject includes the database's first migration, or what a data directory
# without one looks like: run_cli leaves their data directory as the test made it.
FRESH_COMMANDS = {"init", "status", "backup", "restore", "migrate-data", "eval"}

_migrated_template: Path | None = None


def run_cli(data_dir: Path, *args: str, timeout: float = 300, **extra: str) -> subprocess.CompletedProcess:
    """`paperfeed ARGS` in a child process using `data_dir`.

    A data directory without a database first gets a copy of one that `paperfeed init`
    migrated once for this test process (start_migrated): every command migrates a new
    database by itself, which costs a child ~1.5 s of CPU, and this suite starts children on
    new data directories a hundred times. The migration itself is tested where it is the
    point: the commands in FRESH_COMMANDS, processes started with Popen (several at once on
    a new data directory), `serve` and `demo`, and children given their own DATABASE_URL.
    """
    if args and args[0] not in FRESH_COMMANDS and "DATABASE_URL" not in extra:
        start_migrated(data_dir)
    return subprocess.run(
        [*PAPERFEED, *args], env=cli_env(data_dir, **extra), capture_output=True, text=True, timeout=timeout
    )


def start_migrated(data_dir: Path) -> None:
    """Give a new SQLite data directory a migrated, empty database (see run_cli)."""
    data_dir = Path(data_dir)
    database = data_dir / "paperfeed.sqlite3"
    if child_databases is not None or database.exists():
        return
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copyfile(migrated_database(), database)
    database.chmod(0o600)


def migrated_database() -> Path:
    """An empty SQLite database migrated by `paperfeed init`, once per test process: copy it."""
    global _migrated_template
    if _migrated_template is None:
        _migrated_template = _build_migrated_template()
    return _migrated_template


def _build_migrated_template() -> Path:
    import sqlite3
    import tempfile

    data_dir = Path(tempfile.mkdtemp(prefix="pf-migrated-"))
    atexit.register(shutil.rmtree, data_dir, True)  # once the test process is done copying it
    made = subprocess.run([*PAPERFEED, "init"], env=cli_env(data_dir), capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, f"paperfeed init of the template database failed:\n{made.stderr}"
    database = data_dir / "paperfeed.sqlite3"
    # Everything into the one file (it stays in WAL mode), so a copy of it alone is complete.
    connection = sqlite3.connect(database)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return database


def cli_help(*words: str) -> str:
    """What `paperfeed WORDS --help` prints, read in this process.

    Help text depends on no data and no database, so a child process (~0.6 s each) buys
    nothing here: the parser is the command's own, built as `paperfeed` builds it, at the
    80 columns a child writing to a pipe gets. Exit codes and the entry point itself are
    tested with real processes (tests/test_cli.py).
    """
    import contextlib
    import io

    from django.core.management import get_commands, load_command_class

    from paperfeed.cli import COMMAND_ALIASES

    name = COMMAND_ALIASES.get(words[0], words[0])
    command = load_command_class(get_commands()[name], name)
    parser = command.create_parser("paperfeed", name)
    out = io.StringIO()
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"
    try:
        with contextlib.redirect_stdout(out):
            parser.parse_args([*words[1:], "--help"])
    except SystemExit as exit:
        assert exit.code == 0, f"paperfeed {' '.join(words)} --help exited with {exit.code}"
    else:
        raise AssertionError(f"paperfeed {' '.join(words)} --help printed no help")
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    return out.getvalue()


def run_main(capsys, *words: str) -> tuple[int, str, str]:
    """`paperfeed WORDS` in this process through the command line's entry point (its parsing
    and exit codes): (exit code, stdout, stderr). Only for runs its parser ends: a command that
    runs closes the database connections at its end, the test's transaction with them."""
    from paperfeed import cli

    try:
        cli.main(["paperfeed", *words])
        code = 0
    except SystemExit as exit:
        code = exit.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(data_dir: Path, command: str = "serve", timeout: float = 240, workers: int = 1) -> Iterator[str]:
    """`paperfeed serve` (or `demo`) on a free port; yields its base URL, stops it after.

    Its output goes to a file beside the data directory, not a pipe: an unread pipe fills up
    with the access log and would block the server in the middle of a test.
    """
    port = free_port()
    log_path = data_dir.parent / f"{data_dir.name}-{command}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [*PAPERFEED, command, "--port", str(port), "--workers", str(workers)],
            env=cli_env(data_dir),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_serving(f"http://127.0.0.1:{port}/healthz", process, log_path, timeout)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(process)


def wait_until_serving(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
