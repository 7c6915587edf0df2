"""Leases in the database: one holder at a time across processes and machines, and a holder
that dies (kill -9, a machine gone) loses its lease when it expires.

A claim is one conditional UPDATE — "take it if it is free, expired, or ours" — so two
claimers cannot both win: SQLite runs one writer at a time, and PostgreSQL makes the second
UPDATE wait for the first's row lock and then re-checks the condition on the new row (read
committed), finding it taken. An advisory lock would add nothing a row does not give, and a
row also says who holds it and until when (`paperfeed jobs`, the admin).
Clocks of the machines sharing a database must agree (NTP) to well within a lease.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
from datetime import datetime, timedelta

from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import Q
from django.utils import timezone

from paperfeed.jobs.models import Lease



def new_holder() -> str:
    """Who a process is, in lease rows and runs: host, process id, and a token that tells a
    later process reusing the id apart."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def _ensure_row(name: str) -> None:
    if Lease.objects.filter(name=name).exists():
        return
    try:
        with transaction.atomic():
            Lease.objects.create(name=name, holder="", expires_at=timezone.now())
    except IntegrityError:
        pass  # another process made it first: the same row


def claim(name: str, holder: str, seconds: float, now: datetime | None = None) -> bool:
    """Take or renew the lease for `seconds`; False when another live holder has it."""
    now = now or timezone.now()
    _ensure_row(name)
    taken = (
        Lease.objects.filter(name=name)
        .filter(Q(holder=holder) | Q(holder="") | Q(expires_at__lt=now))
        .update(holder=holder, expires_at=now + timedelta(seconds=seconds))
    )
    return taken == 1


def release(name: str, holder: str) -> None:
    """Give the lease up now (only if still ours), so another process may take it at once."""
    Lease.objects.filter(name=name, holder=holder).update(holder="", expires_at=timezone.now())


def live_holder(name: str, now: datetime | None = None) -> str:
    """Who holds the lease and has not let it expire; "" when nobody."""
    now = now or timezone.now()
    row = Lease.objects.filter(name=name).first()
    if row is None or not row.holder or row.expires_at < now:
        return ""
    return row.holder


class Busy(Exception):
    def __init__(self, name: str, holder: str):
        super().__init__(f"{name} is held by {holder or 'another process'}")
        self.holder = holder


class Held:
    """`with Held(name, holder, seconds):` — the lease is claimed (or Busy is raised), renewed
    by a thread every third of `seconds` while the block runs, and released after it."""

    def __init__(self, name: str, holder: str, seconds: float):
        self.name, self.holder, self.seconds = name, holder, seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Held:
        if not claim(self.name, self.holder, self.seconds):
            raise Busy(self.name, live_holder(self.name))
        self._thread = threading.Thread(target=self._renew, name=f"lease {self.name}", daemon=True)
        self._thread.start()
        return self

    def _renew(self) -> None:
        try:
            while not self._stop.wait(self.seconds / 3):
                try:
                    if not claim(self.name, self.holder, self.seconds):
                        return  # taken: this process was stopped past its lease
                except DatabaseError:
                    connections.close_all()  # a busy or lost connection: try again next time
        finally:
            connections.close_all()  # this thread's own connection

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        release(self.name, self.holder)
