"""`paperfeed migrate-data`, run as the real command on real databases.

The source is always a SQLite data directory as a user would have one. The target follows the
database of the run: a new SQLite file on the SQLite run, a new database on the test server on the
PostgreSQL run. The target fixtures depend on django_db_setup, which keeps these tests in the
PostgreSQL run (tests/conftest.py) and tells them where its server is.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command

from tests.helpers import cli_help, run_cli

# Accounts, a group with permissions (the many-to-many tables Django makes itself), votes,
# comments with replies (a foreign key to their own table) and a collection; deleted papers
# and a deleted user leave gaps, so ids that were renumbered would not match.
SOURCE_SETUP = """
import datetime
from django.contrib.auth.models import Group, Permission, User
from paperfeed.community.collections.models import Collection, CollectionItem
from paperfeed.community.discussion.models import Comment
from paperfeed.community.votes.models import Vote
from paperfeed.papers.models import Paper

Paper.objects.filter(id__in=[3, 11]).delete()
User.objects.create_user("gone").delete()
papers = list(Paper.objects.order_by("id")[:40])
moderators = Group.objects.create(name="moderators")
moderators.permissions.set(Permission.objects.filter(codename__in=["change_comment", "delete_comment"]))
ada = User.objects.create_user("ada", "ada@example.org", "correct horse battery staple")
ada.groups.add(moderators)
ada.user_permissions.add(Permission.objects.get(codename="add_vote"))
users = [ada] + [User.objects.create_user(f"reader{i}", f"reader{i}@example.org") for i in range(5)]
for i, user in enumerate(users):
    Vote.objects.bulk_create(Vote(user=user, paper=paper) for paper in papers[i::3])
    first = Comment.objects.create(paper=papers[i], author=user, body=f"comment {i}")
    Comment.objects.create(paper=papers[i], author=ada, parent=first, body=f"reply {i}")
shelf = Collection.objects.create(owner=ada, name="Reading", slug="reading", public=True)
CollectionItem.objects.bulk_create(CollectionItem(collection=shelf, paper=paper) for paper in papers[:7])
Collection.objects.filter(pk=shelf.pk).update(updated_at=datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.UTC))
from paperfeed.search.impact_build import build_impact_lists
assert build_impact_lists(200, 0, (3.0, 1.0, 1.0)).terms  # impact lists of the source's index
"""
SHELF_UPDATED_AT = "2020-01-02T03:04:05+00:00"  # not the time of copying: auto_now must not fire

# Three papers, a reader and their votes: enough for the copies that are meant to fail.
SMALL_SETUP = """
from django.contrib.auth.models import User
from paperfeed.community.votes.models import Vote
from paperfeed.papers.store import store_records
from paperfeed.sources.normalize import build_record
stored = store_records([
    build_record(arxiv_id=f"2611.0000{i}", title=f"Paper {i} on copying databases", abstract="We copy.",
                 authors=["Ada Lovelace"], versions=[{"version": "v1", "created": "2026-11-20T10:00:00Z"}])
    for i in range(1, 4)
])
reader = User.objects.create(username="reader")
Vote.objects.bulk_create(Vote(user=reader, paper_id=paper_id) for paper_id in stored.paper_ids.values())
"""

# New rows on the copy take the ids after the copied ones (sequences were moved on), in a
# transaction rolled back so the copy stays as it was for the other tests.
NEW_ROWS = """
from django.contrib.auth.models import User
from django.db import transaction
from paperfeed.community.votes.models import Vote
from paperfeed.papers.models import Paper
with transaction.atomic():
    user = User.objects.create(username="newcomer")
    vote = Vote.objects.create(user=user, paper=Paper.objects.order_by("id").first())
    print(user.id, vote.id)
    transaction.set_rollback(True)
"""

# The columns that tie rows together: the same values on both sides mean the same ids and references.
IDENTITY_COLUMNS = {
    "django_content_type": "id, app_label, model",
    "auth_permission": "id, content_type_id, codename",
    "auth_group_permissions": "id, group_id, permission_id",
    "auth_user": "id, username, email, password, is_staff",
    "auth_user_groups": "id, user_id, group_id",
    "auth_user_user_permissions": "id, user_id, permission_id",
    "papers_paper": "id, arxiv_id, title",
    "papers_paperauthor": "id, paper_id, author_id",
    "papers_dailyentry": "id, paper_id",
    "votes_vote": "id, user_id, paper_id",
    "discussion_comment": "id, paper_id, author_id, parent_id, body",
    "collections_collection": "id, owner_id, slug",
    "collections_collectionitem": "id, collection_id, paper_id",
}


WRITTEN_BY_MIGRATE = {"django_content_type", "auth_permission"}


@dataclass
class Target:
    url: str
    data_dir: Path  # for `paperfeed` child processes working on the target
    connect: Callable[[], object]  # a DB-API connection to it

    def query(self, sql: str) -> list[tuple]:
        return query(self.connect, sql)


def query(connect: Callable[[], object], sql: str) -> list[tuple]:
    with closing(connect()) as db:
        return [tuple(row) for row in db.execute(sql).fetchall()]


def copied_tables() -> list[str]:
    """Every table migrate-data copies: those of all models, the many-to-many ones included."""
    models = apps.get_models(include_auto_created=True)
    return sorted({m._meta.db_table for m in models if m._meta.managed and not m._meta.proxy})


def counts(connect: Callable[[], object]) -> dict[str, int]:
    with closing(connect()) as db:
        return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in copied_tables()}


def sqlite_at(path: Path) -> Callable[[], sqlite3.Connection]:
    return lambda: sqlite3.connect(path)


def utc(value) -> str:
    """A timestamp as SQLite (text) or PostgreSQL (datetime) returns it, in one comparable form."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value).replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def migrate(source: Path, target: Target):
    return run_cli(target.data_dir, "migrate-data", "--from", f"sqlite:///{source}", "--to", target.url, timeout=120)


def build_source(data_dir: Path, *commands: tuple[str, ...]) -> Path:
    for command in commands:
        out = run_cli(data_dir, *command)
        assert out.returncode == 0, out.stderr
    return data_dir / "paperfeed.sqlite3"


@pytest.fixture(scope="session")
def source(tmp_path_factory) -> Path:
    """The bundled sample (papers, authors, daily lists, embeddings, trending scores) and community data."""
    return build_source(
        tmp_path_factory.mktemp("migrate-source"), ("demo", "--no-serve"), ("shell", "-c", SOURCE_SETUP)
    )


@pytest.fixture(scope="session")
def small_source(tmp_path_factory) -> Path:
    return build_source(tmp_path_factory.mktemp("migrate-small"), ("init",), ("shell", "-c", SMALL_SETUP))


@contextmanager
def new_target(directory: Path) -> Iterator[Target]:
    """A database that does not exist yet (SQLite) or exists empty (PostgreSQL), like a user's new one."""
    default = settings.DATABASES["default"]
    if default["ENGINE"] == "django.db.backends.postgresql":
        with new_postgres_database(default) as (url, connect):
            yield Target(url, directory, connect)
    else:
        path = directory / "target.sqlite3"
        yield Target(f"sqlite:///{path}", directory, sqlite_at(path))


@contextmanager
def new_postgres_database(default: dict) -> Iterator[tuple[str, Callable[[], object]]]:
    """A new database on the test run's PostgreSQL server, dropped afterwards."""
    import psycopg

    name = f"pf_migrate_{secrets.token_hex(4)}"
    server = {"host": default["HOST"], "port": default["PORT"] or None, "user": default["USER"]}
    server["password"] = default["PASSWORD"] or None
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        login = quote(default["USER"]) + (f":{quote(default['PASSWORD'])}" if default["PASSWORD"] else "")
        port = f":{default['PORT']}" if default["PORT"] else ""
        url = f"postgresql://{login}@{quote(default['HOST'], safe='')}{port}/{name}"
        yield url, lambda: psycopg.connect(dbname=name, **server)
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def copied(source, django_db_setup, tmp_path_factory) -> Iterator[tuple[Target, object]]:
    """The source copied once into a new target, and the command's output; the tests only read it."""
    with new_target(tmp_path_factory.mktemp("migrate-target")) as target:
        yield target, migrate(source, target)


@pytest.fixture
def empty_target(django_db_setup, tmp_path) -> Iterator[Target]:
    with new_target(tmp_path) as target:
        yield target


def assert_holds_no_data(target: Target) -> None:
    """Only the content types and permissions migrate writes by itself are left."""
    left = {table: n for table, n in counts(target.connect).items() if n}
    assert set(left) <= WRITTEN_BY_MIGRATE, left


# -- a complete copy -----------------------------------------------------------------------------


def test_every_table_has_as_many_rows_as_in_the_source(copied, source):
    target, out = copied
    assert out.returncode == 0, out.stderr
    in_source = counts(sqlite_at(source))
    assert counts(target.connect) == in_source
    for table in ("auth_user_groups", "votes_vote", "discussion_comment", "collections_collectionitem"):
        assert in_source[table] > 0, f"the source should have rows in {table}"
    assert in_source["search_papervector"] > 2000
    assert in_source["search_term_impact"] > 0
    # Keyed by the source index's terms: copied, but no search of the target reads them.
    assert target.query("SELECT state FROM search_term_impact_build") == [("retired",)]
    assert f"all {len(in_source)} tables have as many rows as in the source" in out.stdout
    votes = f"{in_source['votes_vote']:,}"
    assert re.search(rf"^votes_vote +{votes} +{votes}$", out.stdout, re.MULTILINE), out.stdout
    assert "paperfeed index" in out.stdout


def test_ids_and_references_are_those_of_the_source(copied, source):
    target, _ = copied
    for table, columns in IDENTITY_COLUMNS.items():
        sql = f"SELECT {columns} FROM {table} ORDER BY id"
        assert target.query(sql) == query(sqlite_at(source), sql), table


def test_embeddings_and_timestamps_are_unchanged(copied, source):
    target, _ = copied
    sql = "SELECT paper_id, vector FROM search_papervector ORDER BY paper_id"
    vectors = {paper: bytes(blob) for paper, blob in target.query(sql)}
    assert vectors == {paper: bytes(blob) for paper, blob in query(sqlite_at(source), sql)}
    for sql in (
        "SELECT id, created_at FROM votes_vote ORDER BY id",
        "SELECT paper_id, updated_at FROM search_papervector",
    ):
        assert [(i, utc(t)) for i, t in target.query(sql)] == [(i, utc(t)) for i, t in query(sqlite_at(source), sql)]
    assert [utc(t) for (t,) in target.query("SELECT updated_at FROM collections_collection")] == [SHELF_UPDATED_AT]


def test_the_copy_is_searchable_and_takes_new_rows(copied, source):
    target, _ = copied
    arxiv_id, title = query(sqlite_at(source), "SELECT arxiv_id, title FROM papers_paper WHERE id = 20")[0]
    found = run_cli(target.data_dir, "search", title, "--mode", "lexical", "--json", DATABASE_URL=target.url)
    assert found.returncode == 0, found.stderr
    assert arxiv_id in [json.loads(line)["id"] for line in found.stdout.splitlines()[:3]]
    if target.url.startswith("sqlite:"):
        # The FTS5 index is kept apart from the papers table: check that it covers every paper
        # (SQLite reports "malformed" when an entry is missing).
        with closing(target.connect()) as db:
            db.execute("INSERT INTO paper_fts(paper_fts, rank) VALUES ('integrity-check', 1)")
    out = run_cli(target.data_dir, "shell", "-c", NEW_ROWS, DATABASE_URL=target.url)
    assert out.returncode == 0, out.stderr
    user_id, vote_id = map(int, out.stdout.split()[-2:])
    ((last_user, last_vote),) = query(
        sqlite_at(source), "SELECT max(id), (SELECT max(id) FROM votes_vote) FROM auth_user"
    )
    assert (user_id, vote_id) == (last_user + 1, last_vote + 1)


def test_the_copy_can_be_copied_back(copied, source, tmp_path):
    """The other direction: on the PostgreSQL run this reads PostgreSQL and writes SQLite."""
    target, _ = copied
    back = tmp_path / "back.sqlite3"
    out = run_cli(tmp_path, "migrate-data", "--from", target.url, "--to", f"sqlite:///{back}", timeout=120)
    assert out.returncode == 0, out.stderr
    assert counts(sqlite_at(back)) == counts(sqlite_at(source))
    sql = "SELECT paper_id, vector FROM search_papervector ORDER BY paper_id"
    assert query(sqlite_at(back), sql) == query(sqlite_at(source), sql)
    with closing(sqlite3.connect(back)) as db:
        db.execute("INSERT INTO paper_fts(paper_fts, rank) VALUES ('integrity-check', 1)")


# -- refusals and failures -----------------------------------------------------------------------

LOSE_VOTES = {  # a target that drops every vote it is given: the counts cannot agree
    "sqlite": [
        "CREATE TRIGGER lose_votes AFTER INSERT ON votes_vote BEGIN DELETE FROM votes_vote WHERE id = new.id; END"
    ],
    "postgresql": [
        (
            "CREATE FUNCTION lose_vote() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN DELETE FROM votes_vote WHERE id = NEW.id; RETURN NULL; END $$"
        ),
        "CREATE TRIGGER lose_votes AFTER INSERT ON votes_vote FOR EACH ROW EXECUTE FUNCTION lose_vote()",
    ],
}


def test_refuses_a_target_that_holds_data(copied, source):
    target, _ = copied
    before = counts(target.connect)
    again = migrate(source, target)  # the same command once more, by mistake
    assert again.returncode == 2
    holding = [table for table, n in before.items() if n and table not in WRITTEN_BY_MIGRATE]
    assert f"is not empty ({len(holding)} table(s) hold rows: " in again.stderr
    assert "Traceback" not in again.stderr
    assert counts(target.connect) == before


def test_a_failed_copy_leaves_the_target_empty_and_can_run_again(small_source, empty_target, tmp_path):
    broken = tmp_path / "broken.sqlite3"
    with closing(sqlite3.connect(small_source)) as original, closing(sqlite3.connect(broken)) as copy:
        original.backup(copy)
        # A vote of a user who does not exist (SQLite checks no foreign keys unless asked to).
        copy.execute(
            "INSERT INTO votes_vote (created_at, paper_id, user_id) SELECT created_at, paper_id, 999999 FROM votes_vote"
        )
        copy.commit()
    out = migrate(broken, empty_target)
    assert out.returncode == 1
    assert "votes_vote" in out.stderr and "the copy was rolled back" in out.stderr and "Traceback" not in out.stderr
    assert_holds_no_data(empty_target)

    with closing(sqlite3.connect(broken)) as copy:
        copy.execute("DELETE FROM votes_vote WHERE user_id = 999999")
        copy.commit()
    again = migrate(broken, empty_target)
    assert again.returncode == 0, again.stderr
    assert counts(empty_target.connect) == counts(sqlite_at(broken))


def test_counts_that_differ_roll_the_copy_back(small_source, empty_target):
    init = run_cli(empty_target.data_dir, "init", DATABASE_URL=empty_target.url)  # a schema, no data: accepted
    assert init.returncode == 0, init.stderr
    with closing(empty_target.connect()) as db:
        for statement in LOSE_VOTES["postgresql" if empty_target.url.startswith("postgresql:") else "sqlite"]:
            db.execute(statement)
        db.commit()
    out = migrate(small_source, empty_target)
    assert out.returncode == 1
    assert "row counts differ after copying: votes_vote (3 → 0)" in out.stderr
    assert re.search(r"^votes_vote +3 +0  ✗$", out.stdout, re.MULTILINE), out.stdout
    assert_holds_no_data(empty_target)


# -- arguments (no database is opened) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        ("not-a-url", "sqlite:///{dir}/t.sqlite3", "--from 'not-a-url' is not a database URL"),
        ("sqlite:///{dir}/s.sqlite3", "mysql://u:secret@db/paperfeed", "SQLite and PostgreSQL only"),
        ("sqlite:///{dir}/s.sqlite3", "postgresql://u:secret@db", "'postgresql://u:***@db' names no database"),
        ("sqlite:///{dir}/s.sqlite3", "sqlite://", "names no file"),
        ("sqlite:///{dir}/s.sqlite3", "sqlite:///{dir}/./s.sqlite3", "--from and --to are the same database"),
        ("sqlite:///{dir}/missing.sqlite3", "sqlite:///{dir}/t.sqlite3", "missing.sqlite3 does not exist"),
    ],
)
def test_bad_arguments_exit_2(tmp_path, source, target, message):
    (tmp_path / "s.sqlite3").touch()
    with pytest.raises(CommandError, match=re.escape(message)) as refused:
        call_command("migrate_data", "--from", source.format(dir=tmp_path), "--to", target.format(dir=tmp_path))
    assert refused.value.returncode == 2
    assert "secret" not in str(refused.value)
    assert not (tmp_path / "t.sqlite3").exists()


def test_refuses_a_source_that_is_no_paperfeed_database(tmp_path):
    with closing(sqlite3.connect(tmp_path / "other.sqlite3")) as other:
        other.execute("CREATE TABLE notes (body TEXT)")
    out = run_cli(
        tmp_path,
        "migrate-data",
        "--from",
        f"sqlite:///{tmp_path}/other.sqlite3",
        "--to",
        f"sqlite:///{tmp_path}/t.sqlite3",
    )
    assert out.returncode == 2
    assert "it is no paperfeed database, or an older one" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "t.sqlite3").exists()


def test_help_names_the_command_as_typed():
    assert cli_help("migrate-data").startswith("usage: paperfeed migrate-data [-h] --from URL --to URL")
