"""A real password hasher (Django's MD5 one) that counts its work, for the concurrency tests.

Every password hash it computes is counted: a check of an account's password, and the dummy
hash Django computes for an unknown name. While `hold` is set, each computation waits for it
to clear, so a test can keep checks in flight as long as it needs — the moment the issue's
race lived in, between "under the limit?" and "count the failure".
"""

from __future__ import annotations

import threading

from django.contrib.auth.hashers import MD5PasswordHasher

PATH = "tests.community.accounts.counting_hasher.CountingHasher"


class CountingHasher(MD5PasswordHasher):
    algorithm = "md5-counted"

    computed = 0
    changed = threading.Condition()
    # Cleared = checks wait; set = checks run. Set unless a test holds them.
    running = threading.Event()
    running.set()

    def encode(self, password, salt):
        cls = type(self)
        with cls.changed:
            cls.computed += 1
            cls.changed.notify_all()
        # The timeout keeps a failing test from hanging the run.
        cls.running.wait(timeout=30)
        return super().encode(password, salt)

    @classmethod
    def reset(cls) -> None:
        with cls.changed:
            cls.computed = 0
        cls.running.set()
