"""PostgreSQL databases for `paperfeed` child processes, when the suite runs on PostgreSQL.

A child process (tests/helpers.py) normally gets its own SQLite database in its own data
directory. A test marked `both_databases` is about something the database decides — what a
crash leaves behind, several processes writing at once — so on the PostgreSQL run its
children get a fresh PostgreSQL database instead, one per data directory, on the same
throwaway server as the test database.

Fresh databases are copies of a template migrated once per session (`CREATE DATABASE …
TEMPLATE`), which takes a fraction of a second where migrating each would take many. Each
pytest-xdist worker has its own template; database names carry the worker's process id.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

# One template per pytest-xdist worker ("gw0", …; "main" without xdist): workers share the
# server, and one worker dropping and re-creating the template would break another's copies.
TEMPLATE = f"pf_child_template_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


def server_url(settings_database: dict, name: str) -> str:
    """A DATABASE_URL for database `name` on the server of Django's test database."""
    host = quote(settings_database.get("HOST") or "", safe="")
    port = f":{settings_database['PORT']}" if settings_database.get("PORT") else ""
    user = quote(settings_database.get("USER") or "", safe="")
    password = f":{quote(settings_database['PASSWORD'], safe='')}" if settings_database.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user else ""
    return f"postgresql://{credentials}{host}{port}/{name}"


class ChildDatabases:
    def __init__(self, settings_database: dict):
        self._settings = settings_database
        self._numbers = itertools.count(1)
        self._by_data_dir: dict[Path, str] = {}
        self._template_ready = False
        self._had_sqlite: set[Path] = set()  # data directories that came with a SQLite file (copied fixtures)

    def _admin(self):
        import psycopg

        return psycopg.connect(server_url(self._settings, "postgres"), autocommit=True)

    def _build_template(self) -> None:
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{TEMPLATE}"')
        with tempfile.TemporaryDirectory(prefix="pf-template-") as data_dir:
            env = {**os.environ, "PAPERFEED_DATA_DIR": data_dir, "DATABASE_URL": server_url(self._settings, TEMPLATE)}
            env.pop("DJANGO_SETTINGS_MODULE", None)
            result = subprocess.run(
                [sys.executable, "-m", "paperfeed", "init"], env=env, capture_output=True, text=True, timeout=300
            )
        if result.returncode != 0:
            raise RuntimeError(f"migrating the child template database failed:\n{result.stdout}\n{result.stderr}")
        self._template_ready = True

    def url_for(self, data_dir: Path) -> str:
        """The database of the children using `data_dir`, created on first use."""
        data_dir = Path(data_dir).resolve()
        if data_dir not in self._by_data_dir:
            if not self._template_ready:
                self._build_template()
            name = f"pf_child_{os.getpid()}_{next(self._numbers)}"
            with self._admin() as admin:
                admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
            self._by_data_dir[data_dir] = server_url(self._settings, name)
            if (data_dir / "paperfeed.sqlite3").exists():
                self._had_sqlite.add(data_dir)
        return self._by_data_dir[data_dir]

    def keep_as_template(self, data_dir: Path) -> str:
        """The database of `data_dir`'s children, renamed to outlive the test and serve as the
        template of copy_of (a site set up once for several tests); returns its name."""
        url = self._by_data_dir.pop(Path(data_dir).resolve())
        name = f"{TEMPLATE}_{next(self._numbers)}"
        with self._admin() as admin:
            admin.execute(f'ALTER DATABASE "{url.rsplit("/", 1)[1]}" RENAME TO "{name}"')
        return name

    def copy_of(self, template: str, data_dir: Path) -> str:
        """A new database for `data_dir`'s children, a copy of `template` (keep_as_template)."""
        data_dir = Path(data_dir).resolve()
        assert data_dir not in self._by_data_dir, f"{data_dir} has a database already"
        name = f"pf_child_{os.getpid()}_{next(self._numbers)}"
        with self._admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self._by_data_dir[data_dir] = server_url(self._settings, name)
        return self._by_data_dir[data_dir]

    def drop_all(self) -> None:
        """Drop the databases of the test that just ended (the template stays for the next)."""
        strays = [d for d in self._by_data_dir if (d / "paperfeed.sqlite3").exists() and d not in self._had_sqlite]
        assert not strays, f"a child process used SQLite instead of its PostgreSQL database: {strays}"
        with self._admin() as admin:
            for url in self._by_data_dir.values():
                admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        self._by_data_dir.clear()
        self._had_sqlite.clear()
