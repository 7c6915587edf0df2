"""Wall and CPU time of a command and of every process it starts, e.g. of `make test`'s suite:

    python bench/suite_time.py python -m tests.run_suite -n 2 --dist loadgroup --timeline=build/timeline

On a shared machine the wall time says little (it depends on everyone else's load); the CPU
time (user + system, summed over the whole process tree) does not, so compare that.
PostgreSQL's server detaches from pg_ctl, and Chromium's helpers may outlive their parent: on
Linux this process becomes their "subreaper", so orphans are re-parented here and their CPU
time is counted too (getrusage(RUSAGE_CHILDREN) only counts processes that were waited for).
"""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def main(command: list[str]) -> int:
    if not command:
        raise SystemExit(__doc__)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    started = time.monotonic()
    code = subprocess.call(command)
    wall = time.monotonic() - started
    # Reap any orphan re-parented here (a server that outlived its launcher is still stopping).
    while True:
        try:
            os.wait()
        except ChildProcessError:
            break
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"wall {wall:.0f} s  user {usage.ru_utime:.0f} s  sys {usage.ru_stime:.0f} s  "
          f"cpu {usage.ru_utime + usage.ru_stime:.0f} s  (exit code {code})", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
