"""A throwaway PostgreSQL server for the test suite.

    python -m tests.postgres_server [pytest arguments]

starts a fresh cluster in a temporary directory (listening on a Unix socket only, so it
never collides with another server or port), runs pytest with DATABASE_URL pointing at it,
then stops the server and deletes the directory. The exit code is pytest's.

The binaries come from the PyPI wheel `pgserver` (PostgreSQL 16 with pgvector), so a
fresh machine needs nothing but pip. PostgreSQL refuses to run as root, and CI runs as
root: there the server runs as `nobody`, from a copy of the binaries inside its own
directory, since `nobody` may not be allowed into the checkout (a clone under /root).
pgserver's own launcher would instead add a user and open up the permissions of every
parent directory, which we do not want.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

DATABASE = "paperfeed"
SUPERUSER = "postgres"

# A throwaway cluster needs no durability: skipping fsync makes creating the test database
# and every committed transaction much cheaper on a shared machine.
SETTINGS = ["fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=200"]


def install_dir() -> Path:
    """pgserver's PostgreSQL installation (bin, lib, share)."""
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pgserver is not installed: run `make test` (or pip install -r requirements-test.txt)")
    # Only the bundled binaries are used; importing pgserver itself would take its global lock.
    return Path(spec.submodule_search_locations[0]) / "pginstall"


def _run_as() -> dict:
    """subprocess arguments that drop root for the server's processes (nothing otherwise)."""
    if os.geteuid() != 0:
        return {}
    nobody = pwd.getpwnam("nobody")
    return {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}


@contextmanager
def postgres_server() -> Iterator[str]:
    """A running server with an empty database `paperfeed`; yields its DATABASE_URL."""
    run_as = _run_as()
    root = Path(tempfile.mkdtemp(prefix="pf-pg-"))  # short: socket paths are limited to ~100 bytes
    binaries = install_dir() / "bin"
    if run_as:
        os.chown(root, run_as["user"], run_as["group"])
        # The binaries find lib/, share/ and the wheel's vendored libraries (RPATH
        # $ORIGIN/../../../pgserver.libs) relative to themselves: a copy in the same layout
        # works (~30 MB).
        site = root / "site"
        for part in ("bin", "lib", "share"):
            shutil.copytree(install_dir() / part, site / "pgserver" / "pginstall" / part, symlinks=True)
        shutil.copytree(install_dir().parents[1] / "pgserver.libs", site / "pgserver.libs", symlinks=True)
        binaries = site / "pgserver" / "pginstall" / "bin"
    data, log = root / "data", root / "server.log"
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    started = False
    try:
        _run(
            [binaries / "initdb", "-D", data, "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8",
             "--locale=C.UTF-8", "--no-sync"],
            env=env, **run_as,
        )
        options = f"-k {root} -h '' " + " ".join(f"-c {s}" for s in SETTINGS)
        started = True
        _run([binaries / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start"],
             log=log, env=env, **run_as)
        _run([binaries / "createdb", "-h", root, "-U", SUPERUSER, DATABASE], env=env)
        yield f"postgresql://{SUPERUSER}@{quote(str(root), safe='')}/{DATABASE}"
    finally:
        if started:
            # immediate: nothing in a throwaway cluster is worth a clean shutdown's checkpoint.
            subprocess.run(
                [binaries / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
                capture_output=True, check=False, env=env, **run_as,
            )
        shutil.rmtree(root, ignore_errors=True)


def _run(args: list, log: Path | None = None, **options) -> None:
    """Run a PostgreSQL program; on failure, raise with its output (and the server log)."""
    result = subprocess.run(args, capture_output=True, check=False, **options)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).decode(errors="replace")
        raise RuntimeError(f"{Path(args[0]).name} failed ({result.returncode}):\n{output}\n{_tail(log) if log else ''}")


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def main(argv: list[str]) -> int:
    # A `kill` of this launcher must still stop the server: turn SIGTERM into an exception
    # so the context manager's clean-up runs (Ctrl-C already raises KeyboardInterrupt).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with postgres_server() as url:
        print(f"PostgreSQL test server: {url}", flush=True)
        env = {**os.environ, "DATABASE_URL": url}
        child = subprocess.Popen([sys.executable, "-m", "pytest", *argv], env=env)
        try:
            return child.wait()
        finally:
            if child.poll() is None:
                child.terminate()
                child.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
