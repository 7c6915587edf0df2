"""Is the process that started an ingest run still there? (For runs killed without a word.)

A process is named by its pid and, where the system says (Linux's /proc), the moment it
started: pids are reused, and a killed run's pid may belong to another process days later.
"""

from __future__ import annotations

import os
import socket
from functools import cache
from pathlib import Path


@cache
def this_host() -> str:
    return socket.gethostname()[:255]


def _stat(pid: int) -> list[str]:
    """Fields 3… of /proc/PID/stat (state, ppid, …); [] when unknown (no /proc, no such process)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    # The command name (field 2) is in parentheses and may itself hold spaces or ")".
    return stat[stat.rfind(")") + 2 :].split()


def start_token(pid: int) -> str:
    """When `pid` started, in clock ticks since boot (field 22 of /proc/PID/stat); "" when unknown."""
    fields = _stat(pid)
    return fields[19] if len(fields) > 19 else ""


def is_running(pid: int, token: str = "") -> bool:
    """Whether process `pid` exists and, when `token` is known, is the one that had it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, under another user
    except OSError:
        return False
    fields = _stat(pid)
    if fields and fields[0] in ("Z", "X"):
        return False  # killed, not yet reaped by its parent
    if token and len(fields) > 19:
        return fields[19] == token
    return True
