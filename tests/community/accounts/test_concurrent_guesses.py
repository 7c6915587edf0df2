"""Forty guesses at once against a real server: no more passwords are checked than the limits allow.

The issue: the limit was checked before, and the failure counted after, the password hash, so
guesses sent together all passed the check (40 at once checked 13 passwords against a limit
of 5). Here a threaded HTTP server on loopback (Django's own, as `runserver` uses, one thread
and one database connection per request) runs the site; forty POSTs are released together by
a barrier. The counting hasher (counting_hasher.py) counts every password hash computed and
holds each check until the test lets it go: every guess is in flight at once, as in the worst
interleaving, and the right password is sent while they are.
"""

from __future__ import annotations

import copy
import shutil
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.db.utils import load_backend

from tests.community.conftest import PASSWORD

from .counting_hasher import PATH as COUNTING_HASHER
from .counting_hasher import CountingHasher

# The test database must exist; the test itself runs outside its transaction (site_database).
pytestmark = pytest.mark.django_db

GUESSES = 40
LIMIT = 5
ADMIN = "root"


@contextmanager
def on_database(settings_dict: dict):
    """This thread's ORM on its own connection to the given database."""
    connection = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(copy.deepcopy(settings_dict), "default")
    previous = connections["default"]
    connections["default"] = connection
    try:
        yield
    finally:
        connection.close()
        connections["default"] = previous


class Server(ThreadedWSGIServer):
    """Django's threaded development server, each request on a new connection to `database`."""

    request_queue_size = 2 * GUESSES  # socketserver's 5 would make most of the burst wait in SYN retries

    def __init__(self, database: dict, app):
        super().__init__(("127.0.0.1", 0), QuietHandler)
        self.database = database
        self.set_app(app)

    def process_request_thread(self, request, client_address):
        with on_database(self.database):
            super().process_request_thread(request, client_address)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def test_database_copy(django_db_setup, django_db_blocker, tmp_path_factory):
    """On SQLite, the test database copied to a file (None on PostgreSQL).

    Module-scoped so it runs outside any test's transaction: SQLite cannot back up a database
    while its connection holds one.
    """
    with django_db_blocker.unblock():
        test_database = connections["default"]
        if test_database.vendor != "sqlite":
            yield None
            return
        test_database.ensure_connection()
        path = tmp_path_factory.mktemp("site") / "paperfeed.sqlite3"
        copy_of_it = sqlite3.connect(path)
        test_database.connection.backup(copy_of_it)
        copy_of_it.close()
        yield path


@pytest.fixture
def site_database(test_database_copy, django_db_blocker, tmp_path):
    """A database the server's threads share, each with a connection of its own, as workers do.

    On SQLite the suite's test database lives in memory, where every thread would share one
    connection (Django's live server does that): a copy in a file gives each its own, with
    the site's settings (WAL, IMMEDIATE transactions). On PostgreSQL it is the test database
    itself, outside the test's transaction; what the test commits there is deleted after it.
    """
    with django_db_blocker.unblock():
        settings_dict = connections["default"].settings_dict
        if test_database_copy is not None:
            path = tmp_path / "paperfeed.sqlite3"
            shutil.copyfile(test_database_copy, path)
            yield {**settings_dict, "NAME": str(path)}
            return
        yield settings_dict
        with on_database(settings_dict):
            from django.contrib.auth import get_user_model
            from django.contrib.sessions.models import Session

            from paperfeed.community.accounts.models import Attempt

            get_user_model().objects.filter(username=ADMIN).delete()
            Attempt.objects.all().delete()
            Session.objects.all().delete()


@pytest.fixture
def site(site_database, settings):
    """The base URL of the site on a threaded server, with the counting hasher and an admin."""
    settings.PASSWORD_HASHERS = [COUNTING_HASHER]
    with on_database(site_database):
        from django.contrib.auth import get_user_model

        get_user_model().objects.create_user(ADMIN, f"{ADMIN}@example.org", PASSWORD, is_staff=True, is_superuser=True)
    CountingHasher.reset()
    server = Server(site_database, get_wsgi_application())
    # A short poll, so that shutdown() at the end does not wait half a second.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        CountingHasher.reset()  # lets any held check finish
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)


def csrf(base: str, path: str) -> dict:
    """A client holding the CSRF cookie a GET of the form sets, and the form's token.

    One client serves every thread (httpx clients are thread-safe; making one costs more
    than a request). Its cookie jar would keep a session cookie if a log-in succeeded.
    """
    http = httpx.Client(timeout=60, limits=httpx.Limits(max_connections=2 * GUESSES, max_keepalive_connections=0))
    token = http.get(base + path).cookies["csrftoken"]
    return {"client": http, "token": token}


def log_in(base: str, path: str, form: dict, username: str, password: str) -> httpx.Response:
    data = {"username": username, "password": password, "csrfmiddlewaretoken": form["token"]}
    return form["client"].post(base + path, data=data)


def wait_until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    with CountingHasher.changed:
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("timed out")
            CountingHasher.changed.wait(timeout=0.05)


def burst(base: str, path: str, names: list[str]):
    """All guesses at once, each password check held in the hasher: (form, pool, futures)."""
    form = csrf(base, path)
    barrier = threading.Barrier(len(names))

    def guess(number_and_name):
        number, name = number_and_name
        barrier.wait(timeout=30)
        return log_in(base, path, form, name, f"wrong guess {number}")

    CountingHasher.running.clear()
    pool = ThreadPoolExecutor(max_workers=len(names))
    futures = [pool.submit(guess, item) for item in enumerate(names)]
    # Every guess has either been refused or reached the hasher (where it is held).
    wait_until(lambda: CountingHasher.computed + sum(f.done() for f in futures) >= len(names))
    return form, pool, futures


def assert_locked_out(base, path, names, limits, settings):
    settings.PAPERFEED_LOGIN_FAILURES_PER_ACCOUNT, settings.PAPERFEED_LOGIN_FAILURES_PER_IP = limits
    form, pool, futures = burst(base, path, names)
    try:
        assert CountingHasher.computed == LIMIT
        refused = [f.result() for f in futures if f.done()]
        assert len(refused) == GUESSES - LIMIT and {r.status_code for r in refused} == {429}
        # The right password while the limit's guesses are still being checked: refused
        # without a check, although none of them has failed yet.
        right = log_in(base, path, form, ADMIN, PASSWORD)
        assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0
        assert "Too many failed log-in attempts" in right.text
        assert CountingHasher.computed == LIMIT
    finally:
        CountingHasher.running.set()
        pool.shutdown(wait=True)
    checked = [f.result() for f in futures if f.result().status_code != 429]
    assert len(checked) == LIMIT and {r.status_code for r in checked} == {200}
    # And after them: still refused, still unchecked; nobody was logged in.
    assert log_in(base, path, form, ADMIN, PASSWORD).status_code == 429
    assert CountingHasher.computed == LIMIT
    assert "sessionid" not in form["client"].cookies
    form["client"].close()


@pytest.mark.parametrize("path", ["/login", "/admin/login/"])
def test_forty_guesses_at_one_account_check_only_its_limit(site, path, settings):
    assert_locked_out(site, path, [ADMIN] * GUESSES, (LIMIT, 1000), settings)


def test_forty_guesses_from_one_address_check_only_its_limit(site, settings):
    # Forty different names, none an account: Django hashes the password once for each all
    # the same (so timing does not tell which names exist), and the address's limit holds.
    # (/admin/login/ goes through the same backend and counters: tested above and in test_login.py.)
    assert_locked_out(site, "/login", [f"guess{n}" for n in range(GUESSES)], (1000, LIMIT), settings)
