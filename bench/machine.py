"""What a benchmark ran on, printed at the top of its output so figures can be compared."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys


def describe() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            mem_kb = int(next(line.split()[1] for line in f if line.startswith("MemTotal")))
        memory = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        memory = "?"
    return (
        f"machine: {cpu}, {os.cpu_count()} cores, {memory} RAM; {platform.system()} {platform.release()}; "
        f"Python {sys.version.split()[0]}; SQLite {sqlite3.sqlite_version}"
    )
