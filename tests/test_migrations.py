"""The migrations: in step with the models, and an upgrade keeps SQLite's keyword index working.

The history was squashed to one migration per app before the first release
(docs/operations.md, "Migrations"); from here on migrations accumulate, and these tests are
what a new one must pass.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.migrations.executor import MigrationExecutor

from paperfeed.ops.migrate_data import database_alias
from paperfeed.papers.models import Paper

UPGRADED = "upgraded"


def test_the_migrations_match_the_models(db):
    # --check exits non-zero when a model change has no migration yet.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.sqlite
def test_an_upgraded_sqlite_database_still_indexes_new_papers(django_db_blocker):
    """An installation made when search's migration was the newest, then upgraded to today.

    To add a NOT NULL column (and for most column changes) Django rebuilds the table on
    SQLite: a copy, DROP TABLE, rename — and DROP TABLE drops papers_paper's triggers, which
    are what keeps `paper_fts` right. A later papers migration that does so must create them
    again (search/migrations/0001_initial.py, SQLITE_TRIGGERS); without that, new papers are
    silently missing from keyword search on every upgraded installation.
    """
    config = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    with django_db_blocker.unblock(), database_alias(UPGRADED, config) as connection:
        MigrationExecutor(connection).migrate([("papers", "0001_initial"), ("search", "0001_initial")])
        executor = MigrationExecutor(connection)  # a fresh one reads what is applied now
        executor.migrate(executor.loader.graph.leaf_nodes())
        upgraded = MigrationExecutor(connection)
        assert not upgraded.migration_plan(upgraded.loader.graph.leaf_nodes())

        paper = Paper.objects.using(UPGRADED).create(arxiv_id="2612.00001", title="Quantum annealing schedules")
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid FROM paper_fts WHERE paper_fts MATCH 'annealing'")
            assert cursor.fetchall() == [(paper.pk,)]
            Paper.objects.using(UPGRADED).filter(pk=paper.pk).update(title="Tensor networks")
            cursor.execute("SELECT rowid FROM paper_fts WHERE paper_fts MATCH 'annealing'")
            assert cursor.fetchall() == []
