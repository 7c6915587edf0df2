"""Running the site under gunicorn, in-process, so `paperfeed serve` needs no other config."""

from __future__ import annotations

import os
from collections.abc import Callable

from gunicorn.app.base import BaseApplication

# What runs beside the web server, registered by the apps above ops (the built-in schedule of
# paperfeed.jobs) in their AppConfig.ready: each is called before gunicorn starts and returns
# the function that stops it (or None when it has nothing to run).
_companions: list[Callable[[], Callable[[], None] | None]] = []
# Their checks of configuration, run by `serve`/`demo` before anything else (exit 2 on a bad one).
_companion_checks: list[Callable[[], None]] = []


def register_companion(start: Callable[[], Callable[[], None] | None], check: Callable[[], None] | None = None) -> None:
    if start not in _companions:
        _companions.append(start)
        if check:
            _companion_checks.append(check)


def check_companions() -> None:
    for check in _companion_checks:
        check()


class PaperfeedServer(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from paperfeed.wsgi import application

        return application


def _warm_up_worker(worker) -> None:
    from paperfeed.search.embedder import warm_up_in_background
    from paperfeed.search.engines import read_ahead_in_background

    warm_up_in_background()
    read_ahead_in_background()


def _close_connections_before_fork(server, worker) -> None:
    """Runs in the master before each fork. A database connection open in the master (the
    start-up checks, the preloaded app) would otherwise be inherited by every worker, which
    would then talk over one PostgreSQL socket at once and read each other's replies."""
    from django.db import connections

    connections.close_all()


def _default_base_url(host: str, port: int) -> None:
    """Without PAPERFEED_BASE_URL, absolute links (feeds, e-mails) and the CSRF origin name
    the address this server listens on, so `demo --port 8123` links to itself instead of the
    default port 8000. A wildcard bind has no single address: the loopback one is used."""
    if os.environ.get("PAPERFEED_BASE_URL"):
        return
    from django.conf import settings

    name = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, host)
    if ":" in name and not name.startswith("["):
        name = f"[{name}]"
    settings.BASE_URL = f"http://{name}:{port}"
    settings.CSRF_TRUSTED_ORIGINS = [settings.BASE_URL]


def serve(host: str, port: int, workers: int, threads: int) -> None:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    _default_base_url(host, port)
    # Started before gunicorn, so that they share none of its sockets, threads or workers;
    # stopped when it returns (SIGTERM, Ctrl-C) or raises.
    master = os.getpid()
    stops = [stop for start in _companions if (stop := start())]
    try:
        _run_gunicorn(bind, workers, threads)
    finally:
        # A gunicorn worker leaves through here too (it is a fork of this process, exiting
        # with SystemExit): only the master stops what it started.
        if os.getpid() == master:
            for stop in stops:
                stop()


def _run_gunicorn(bind: str, workers: int, threads: int) -> None:
    PaperfeedServer(
        {
            "bind": bind,
            "workers": workers,
            # Threads serve slow clients without tying up a worker process; SQLite in WAL
            # mode lets them all read at once.
            "worker_class": "gthread",
            "threads": threads,
            "timeout": 30,
            "graceful_timeout": 10,
            "accesslog": "-",
            "errorlog": "-",
            "proc_name": "paperfeed",
            "preload_app": True,
            # gunicorn's runtime control socket lives in the home directory, shared by every
            # instance of the user; paperfeed needs none, and several may run side by side.
            "control_socket_disable": True,
            # The embedding model loads in each worker after the fork (torch's thread pools
            # do not survive a fork), in the background.
            "post_worker_init": _warm_up_worker,
            "pre_fork": _close_connections_before_fork,
        }
    ).run()
