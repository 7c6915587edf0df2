"""Checks run before a command does real work, so failures read as advice, not tracebacks.

Every app's commands call `migrate()` first, so this module sits at the bottom of the layers
(docs/layers.md). What depends on the database in use — how a message names it, SQLite's
integrity check, what to advise when it cannot be read — is known by ops, which hands it over
in its AppConfig.ready (`use_database_checks`, ops/database.py): this module never asks
which database it runs on.
"""

from __future__ import annotations

import errno
import fcntl
import os
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from paperfeed.core import file_modes


@dataclass(frozen=True)
class DatabaseChecks:
    """The database-specific part of the checks."""

    describe: Callable[[], str]  # the database for messages: "the SQLite database /srv/…"
    verify: Callable[[], None]  # raises DatabaseError when the database is damaged
    advice: Callable[[], str]  # what to do when the database cannot be read
    missing: Callable[[], bool] = lambda: False  # the database was never made (no file, no folder)


def _describe_by_name() -> str:
    return f"the database {settings.DATABASES['default'].get('NAME', '')}"


_checks = DatabaseChecks(
    describe=_describe_by_name,
    verify=lambda: None,
    advice=lambda: "Check DATABASE_URL and the role's rights on the database.",
)


def use_database_checks(checks: DatabaseChecks) -> None:
    """Called once, from ops' AppConfig.ready."""
    global _checks
    _checks = checks


def ensure_data_dir() -> None:
    """The data directory exists, is writable, and nothing in it is open to other users.

    Files an older version (or a restore by hand) left readable by others are made private
    here, on every `init`, `serve` and `demo`, and each change is reported (core/file_modes.py).
    """
    data_dir = settings.DATA_DIR
    # A data directory that cannot be made or written is a configuration error (exit 2), as
    # when the secret key cannot be kept there (config.load_or_create_secret_key).
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(
            f"the data directory {data_dir} is not usable ({exc.strerror}); "
            "set PAPERFEED_DATA_DIR to a writable directory",
            returncode=2,
        ) from None
    if not os.access(data_dir, os.W_OK | os.X_OK):
        raise CommandError(
            f"the data directory {data_dir} is not writable; fix its permissions or point PAPERFEED_DATA_DIR elsewhere",
            returncode=2,
        )
    # The secret key is made on first use (config.lazy_secret_key): the commands that set up or
    # serve the site make it now, so a data directory it cannot be kept in fails here.
    str(settings.SECRET_KEY)
    for loose in file_modes.tighten():
        print(f"paperfeed: {loose.path} was open to other users ({loose.mode:04o}); now {loose.wanted:04o}",
              file=sys.stderr)


def describe_database() -> str:
    """The configured database, for messages: which file, or which database on which host."""
    return _checks.describe()


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
        _checks.verify()
    except DatabaseError as exc:
        if _checks.missing():  # the database's state, not a failure: exit 2, as in explain_database_error
            raise CommandError(
                f"{describe_database()} does not exist: run `paperfeed init` "
                "(or point PAPERFEED_DATA_DIR or DATABASE_URL at your site)",
                returncode=2,
            ) from None
        raise CommandError(f"{describe_database()} cannot be read ({exc}). " + _checks.advice()) from None
    return [f"{m.app_label}.{m.name}" for m, _ in plan]


def explain_database_error(exc: DatabaseError) -> CommandError:
    """A command stopped on a database error: the cause, as one line saying what to do.

    Commands that only read (`show`, `export`, `search`) do not migrate first, so on a new or
    not yet upgraded database they meet a missing table; that is the database's state, not a
    failure of the command (exit 2, like a configuration error). A database that cannot be
    read at all is reported as the preflight does (exit 1); anything else is the error itself.
    """
    try:
        pending = pending_migrations()
    except CommandError as unreadable:
        return unreadable
    if pending:
        if not MigrationRecorder(connection).has_table():
            message = (
                f"{describe_database()} has no tables yet: run `paperfeed init` "
                "(or point PAPERFEED_DATA_DIR or DATABASE_URL at your site)"
            )
        else:
            count = f"{len(pending)} migration{'s' if len(pending) != 1 else ''}"
            message = f"{describe_database()} is not up to date ({count} pending): run `paperfeed init` to upgrade it"
        return CommandError(message, returncode=2)
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return CommandError(f"{describe_database()} failed: {first_line} (run the command with --traceback for details)")


def migrate(verbosity: int = 0) -> None:
    """Bring the schema up to date (idempotent, cheap when nothing is pending).

    Commands started together on a new or just-upgraded database (cron jobs, several
    workers) would each see the same pending migrations; a lock file in the data directory
    lets one migrate while the others wait and then find nothing left to do.
    """
    if not settings.DATA_DIR.exists():
        # A first command on a new machine: the data directory (and with it SQLite's folder)
        # is made here, no longer as a side effect of reading the settings.
        ensure_data_dir()
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
