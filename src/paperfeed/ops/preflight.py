"""Checks run before a command does real work, so failures read as advice, not tracebacks."""

from __future__ import annotations

import errno
import fcntl
import os
import socket
import sys

from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from paperfeed.ops import file_modes


def ensure_data_dir() -> None:
    """The data directory exists, is writable, and nothing in it is open to other users.

    Files an older version (or a restore by hand) left readable by others are made private
    here, on every `init`, `serve` and `demo`, and each change is reported (ops/file_modes.py).
    """
    data_dir = settings.DATA_DIR
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(f"cannot create the data directory {data_dir}: {exc.strerror}") from None
    if not os.access(data_dir, os.W_OK | os.X_OK):
        raise CommandError(
            f"the data directory {data_dir} is not writable; fix its permissions or point PAPERFEED_DATA_DIR elsewhere"
        )
    for loose in file_modes.tighten():
        print(f"paperfeed: {loose.path} was open to other users ({loose.mode:04o}); now {loose.wanted:04o}",
              file=sys.stderr)


def describe_database() -> str:
    """The configured database, for messages: which file, or which database on which host."""
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"the SQLite database {db['NAME']}"
    vendor = "PostgreSQL" if connection.vendor == "postgresql" else connection.vendor
    return f"the {vendor} database {db.get('NAME', '')} on {db.get('HOST') or 'localhost'}"


def tables_filled_by_migrate() -> set[str]:
    """Tables Django's migrate fills in every new database by itself (post_migrate): rows there
    are not a site's data — backups, restores and migrate-data treat them so."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    return {ContentType._meta.db_table, Permission._meta.db_table}


def pending_migrations() -> list[str]:
    """Migrations not yet applied; raises CommandError when the database cannot be read."""
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA quick_check")
                verdict = cursor.fetchone()[0]
            if verdict != "ok":
                raise DatabaseError(f"integrity check failed: {verdict}")
    except DatabaseError as exc:
        raise CommandError(
            f"{describe_database()} cannot be read ({exc}). "
            + (
                "If the file is corrupt, restore it from a backup (docs/operations.md) or move it away to start afresh."
                if connection.vendor == "sqlite"
                else "Check DATABASE_URL and the role's rights on the database."
            )
        ) from None
    return [f"{m.app_label}.{m.name}" for m, _ in plan]


def migrate(verbosity: int = 0) -> None:
    """Bring the schema up to date (idempotent, cheap when nothing is pending).

    Commands started together on a new or just-upgraded database (cron jobs, several
    workers) would each see the same pending migrations; a lock file in the data directory
    lets one migrate while the others wait and then find nothing left to do.
    """
    if not pending_migrations():
        return
    ensure_data_dir()
    with open(settings.DATA_DIR / ".migrate.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if pending_migrations():
                call_command("migrate", interactive=False, verbosity=verbosity)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CommandError(
                    f"port {port} on {host} is already in use (another paperfeed or program is "
                    "listening there); stop it or choose another port with --port"
                ) from None
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
