"""Moving everything from one database to another (`paperfeed migrate-data`), e.g. SQLite → PostgreSQL.

The target gets its schema from the migrations, then every row of the source, table by table in
foreign-key order and with the same primary keys, all in one transaction on the target: a failure
anywhere rolls it back, the target is as empty as before and the command can run again. Before that
transaction commits, the rows of every table are counted on both sides; any difference rolls it back
too. The source is only read, inside one transaction, so it is copied as of one moment.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Model

from paperfeed.core.preflight import tables_filled_by_migrate
from paperfeed.search.engines import engine
from paperfeed.search.models import TermImpactBuild

SOURCE_ALIAS = "migrate_data_source"
TARGET_ALIAS = "migrate_data_target"
BATCH_SIZE = 2_000
SQLITE, POSTGRESQL = "django.db.backends.sqlite3", "django.db.backends.postgresql"
# The same connection options as the default SQLite database (settings.py), so a target file
# is in WAL mode with foreign keys on, like one `paperfeed init` made.
SQLITE_OPTIONS = {"init_command": settings.SQLITE_PRAGMAS, "transaction_mode": "IMMEDIATE", "timeout": 5}

Progress = Callable[[int, int | None, str], None]


class Refused(Exception):
    """The arguments or the databases rule out a copy; nothing was written (exit 2)."""


class CopyFailed(Exception):
    """The copy went wrong and was rolled back: the target holds no data (exit 1)."""


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    target: int

    @property
    def matches(self) -> bool:
        return self.source == self.target


class CountsDiffer(CopyFailed):
    def __init__(self, counts: list[TableCount]):
        self.counts = counts
        differing = ", ".join(f"{c.table} ({c.source:,} → {c.target:,})" for c in counts if not c.matches)
        super().__init__(f"row counts differ after copying: {differing}; the copy was rolled back")


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def database_config(url: str, option: str) -> dict:
    """A Django DATABASES entry for `url`; `option` (--from, --to) names it in messages."""
    try:
        config = dj_database_url.parse(url)
    except ValueError:
        raise Refused(
            f"{option} {redacted(url)!r} is not a database URL: expected sqlite:///PATH or "
            "postgresql://USER:PASSWORD@HOST:PORT/NAME"
        ) from None
    if config["ENGINE"] not in (SQLITE, POSTGRESQL):
        raise Refused(f"{option} {redacted(url)!r}: paperfeed runs on SQLite and PostgreSQL only")
    if config["ENGINE"] == SQLITE:
        if config["NAME"] in ("", ":memory:"):
            raise Refused(f"{option} {url!r} names no file: use sqlite:///relative/path or sqlite:////absolute/path")
        config["NAME"] = str(Path(config["NAME"]).expanduser().resolve())
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
    elif not config["NAME"]:
        raise Refused(f"{option} {redacted(url)!r} names no database")
    return config


def same_database(a: dict, b: dict) -> bool:
    return all(a[key] == b[key] for key in ("ENGINE", "HOST", "PORT", "NAME"))


def describe(config: dict) -> str:
    if config["ENGINE"] == SQLITE:
        return f"the SQLite database {config['NAME']}"
    return f"the PostgreSQL database {config['NAME']} on {config['HOST'] or 'localhost'}"


def models_in_dependency_order() -> list[type[Model]]:
    """Every table Django manages (many-to-many tables too), each after the tables it points at.

    Proxy and unmanaged models own no table of their own. Foreign keys are checked at commit
    on both databases (Django creates them DEFERRABLE INITIALLY DEFERRED), so a cycle, should
    one ever appear, is broken anywhere; the order keeps every other insert plainly valid.
    """
    pending = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    copied = set(pending)
    ordered: list[type[Model]] = []
    while pending:
        placed = set(ordered)
        ready = [m for m in pending if all(t in placed or t is m for t in _references(m) & copied)] or pending[:1]
        ordered += ready
        pending = [m for m in pending if m not in ready]
    return ordered


def _references(model: type[Model]) -> set[type[Model]]:
    return {
        field.remote_field.model._meta.concrete_model
        for field in model._meta.local_concrete_fields
        if field.remote_field is not None
    }


def _columns(model: type[Model]) -> list:
    """The fields stored in the model's own table, without columns the database computes."""
    return [f for f in model._meta.local_concrete_fields if not getattr(f, "generated", False)]


@contextmanager
def database_alias(alias: str, config: dict) -> Iterator[BaseDatabaseWrapper]:
    """`config` as an extra Django database for the duration of the block."""
    # Django fills in its defaults (TIME_ZONE, TEST, …) only for the databases it read from
    # the settings; configure_settings gives this one the same.
    connections.settings[alias] = connections.configure_settings({DEFAULT_DB_ALIAS: config})[DEFAULT_DB_ALIAS]
    try:
        yield connections[alias]
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


def pending_migrations(connection: BaseDatabaseWrapper) -> list[str]:
    executor = MigrationExecutor(connection)
    return [f"{m.app_label}.{m.name}" for m, _ in executor.migration_plan(executor.loader.graph.leaf_nodes())]


def tables_with_rows(connection: BaseDatabaseWrapper, models: list[type[Model]]) -> list[str]:
    existing = set(connection.introspection.table_names())
    found = []
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            if table in existing:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cursor.fetchone():
                    found.append(table)
    return found


def count_rows(connection: BaseDatabaseWrapper, table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
        return cursor.fetchone()[0]


def migrate_data(source_url: str, target_url: str, progress: Progress | None = None) -> list[TableCount]:
    """Copy every row from `source_url` into `target_url`; the verified row counts of every table.

    Raises Refused before writing anything when the arguments or databases do not fit, and
    CopyFailed (CountsDiffer when the counts disagree) after rolling the copy back.
    """
    source_config = database_config(source_url, "--from")
    target_config = database_config(target_url, "--to")
    if same_database(source_config, target_config):
        raise Refused(f"--from and --to are the same database ({describe(source_config)})")
    if source_config["ENGINE"] == SQLITE:
        if not Path(source_config["NAME"]).is_file():
            # Opening a missing file would create an empty database and copy nothing.
            raise Refused(f"{describe(source_config)} does not exist")
        # Reading needs no write lock: a deferred transaction in WAL mode is a snapshot that
        # lets a running site go on writing meanwhile.
        del source_config["OPTIONS"]["transaction_mode"]
    models = models_in_dependency_order()
    with database_alias(SOURCE_ALIAS, source_config) as source, database_alias(TARGET_ALIAS, target_config) as target:
        _check_source(source, describe(source_config))
        _check_target_is_empty(target, describe(target_config), models)
        try:
            call_command("migrate", database=TARGET_ALIAS, interactive=False, verbosity=0)
            return _copy(source, target, models, progress or (lambda done, total, label: None))
        except CountsDiffer:
            raise
        except (CopyFailed, DatabaseError, ValueError) as exc:
            raise CopyFailed(f"{exc}\nthe copy was rolled back: {describe(target_config)} holds no data") from exc


def _check_source(source: BaseDatabaseWrapper, description: str) -> None:
    try:
        pending = pending_migrations(source)
    except DatabaseError as exc:
        raise Refused(f"cannot read {description}: {exc}") from None
    if pending:
        raise Refused(
            f"{description} lacks {len(pending)} migration(s) ({pending[0]}, …): it is no paperfeed database, or an "
            "older one — upgrade it first with `paperfeed init` (DATABASE_URL set to it)"
        )


def _check_target_is_empty(target: BaseDatabaseWrapper, description: str, models: list[type[Model]]) -> None:
    """Refuse a target holding anything but what migrate writes by itself: nothing is ever overwritten."""
    try:
        holding = tables_with_rows(target, [m for m in models if m._meta.db_table not in tables_filled_by_migrate()])
    except DatabaseError as exc:
        raise Refused(f"cannot open {description}: {exc}") from None
    if holding:
        shown = ", ".join(holding[:8]) + (", …" if len(holding) > 8 else "")
        raise Refused(
            f"{description} is not empty ({len(holding)} table(s) hold rows: {shown}); "
            "migrate-data only fills an empty database — create a new one, or empty this one yourself"
        )


def _copy(source, target, models, progress: Progress) -> list[TableCount]:
    with transaction.atomic(using=TARGET_ALIAS), transaction.atomic(using=SOURCE_ALIAS):
        if source.vendor == "postgresql":
            # One snapshot for every table, so the copy is consistent even while the site writes.
            with source.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        source_counts = {m._meta.db_table: count_rows(source, m._meta.db_table) for m in models}
        total, done = sum(source_counts.values()), 0
        progress(0, total, "copying rows")
        with target.cursor() as cursor:
            for model in reversed(models):  # the content types and permissions migrate just wrote
                cursor.execute(f"DELETE FROM {target.ops.quote_name(model._meta.db_table)}")
        # The keyword index is built once at the end rather than row by row (on SQLite).
        with engine(TARGET_ALIAS).bulk_load():
            for model in models:
                try:
                    for copied in _copy_table(model, target):
                        done += copied
                        progress(done, total, "copying rows")
                except (DatabaseError, ValueError) as exc:  # a value the target refuses, or cannot be read
                    raise CopyFailed(f"copying {model._meta.db_table} failed: {exc}") from exc
        # The impact lists are keyed by the terms of the source's keyword index, which another
        # database's index does not share (Porter stems, not Snowball lexemes): searches on the
        # target ignore the copied ones until `paperfeed index` builds its own and removes them.
        TermImpactBuild.objects.using(TARGET_ALIAS).filter(state=TermImpactBuild.State.CURRENT).update(
            state=TermImpactBuild.State.RETIRED
        )
        # PostgreSQL hands out ids from sequences that explicit ids do not move; SQLite needs
        # nothing (its AUTOINCREMENT counter follows the largest id inserted).
        with target.cursor() as cursor:
            for statement in target.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        # Foreign keys are checked at commit; checking now names the offending row.
        target.check_constraints()
        counts = [TableCount(table, count, count_rows(target, table)) for table, count in source_counts.items()]
        if not all(c.matches for c in counts):
            raise CountsDiffer(counts)
    return counts


def _copy_table(model: type[Model], target: BaseDatabaseWrapper) -> Iterator[int]:
    """Insert the source's rows of one table, primary keys included; yields the size of each batch.

    Values go through the fields (read with the source's converters, written with the target's
    preparation) rather than bulk_create, which would stamp auto_now fields with the time of
    copying. Many rows go in one INSERT: far fewer round trips than one statement per row.
    """
    fields = _columns(model)
    quote = target.ops.quote_name
    insert = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    row_placeholder = f"({', '.join(['%s'] * len(fields))})"
    rows = (
        model._base_manager.using(SOURCE_ALIAS)
        .order_by("pk")
        .values_list(*[f.attname for f in fields])
        .iterator(chunk_size=BATCH_SIZE)
    )
    with target.cursor() as cursor:
        while batch := list(itertools.islice(rows, BATCH_SIZE)):
            # SQLite caps the parameters of one statement; bulk_batch_size knows by how much.
            per_statement = max(1, target.ops.bulk_batch_size(fields, batch))
            for start in range(0, len(batch), per_statement):
                part = batch[start : start + per_statement]
                values = [f.get_db_prep_save(v, target) for row in part for f, v in zip(fields, row)]
                cursor.execute(insert + ", ".join([row_placeholder] * len(part)), values)
            yield len(batch)
