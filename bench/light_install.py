"""What a fresh install costs: `make demo` from a fresh clone to the first served page, the
installed size, and each web worker's memory after a semantic search.

    python bench/light_install.py --workdir /tmp/install-bench --port 8154 [--ref COMMIT]

Clones this repository (at --ref, default HEAD) into WORKDIR/paperfeed with a copy of the
shared folder beside it (the checkout expects ../shared), runs `make demo DEMO_ARGS=--port
PORT` in a session of its own and times it until http://127.0.0.1:PORT/ answers. Then it asks
for a semantic search twice, reads the RSS of the gunicorn workers (`ps`), the size of the
virtualenv's site-packages (`du`) and whether PyTorch is installed, and stops the demo.
pip may download from the package index: the time includes that. Exit 1 when a step fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
QUERY = "/papers/search?q=quantum+error+correction+codes&mode=semantic"


def answers(url: str, timeout: float = 5) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def session_processes(session: int) -> list[tuple[int, int, int, str]]:
    """(pid, parent, RSS in KB, command) of every process of a session."""
    out = subprocess.run(["ps", "-eo", "pid=,ppid=,sid=,rss=,args="], capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        pid, ppid, sid, rss, args = line.split(None, 4)
        if int(sid) == session:
            rows.append((int(pid), int(ppid), int(rss), args))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, required=True, help="made empty first")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--ref", default="HEAD", help="commit to install (default HEAD)")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared folder to copy beside it")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the first page")
    args = parser.parse_args()

    print(describe())
    print(f"load average at the start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    clone = args.workdir / "paperfeed"
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", args.ref], capture_output=True, text=True,
                            check=True).stdout.strip()
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(REPO), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", commit], check=True)
    shutil.copytree(args.shared, args.workdir / "shared")
    makefile = clone / "Makefile"
    if "DEMO_ARGS" not in makefile.read_text():  # an older commit: let it take the port too
        makefile.write_text(makefile.read_text().replace("$(BIN)/paperfeed demo\n", "$(BIN)/paperfeed demo $(DEMO_ARGS)\n"))
    log = (args.workdir / "make-demo.log").open("w")
    print(f"make demo in {clone} (log: {log.name}) …", flush=True)
    started = time.monotonic()
    make = subprocess.Popen(["make", "demo", f"DEMO_ARGS=--port {args.port}"], cwd=clone, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        while answers(f"http://127.0.0.1:{args.port}/") is None:
            if make.poll() is not None:
                print(f"make demo ended with {make.returncode} before serving", file=sys.stderr)
                return 1
            if time.monotonic() - started > args.timeout:
                print("no page within the timeout", file=sys.stderr)
                return 1
            time.sleep(0.5)
        first_page = time.monotonic() - started
        print(f"first page after {first_page:.0f} s", flush=True)
        # The first search of a worker may load (or, before the model shipped, export) the model.
        statuses, seconds = [], []
        for _ in range(3):
            asked = time.monotonic()
            statuses.append(answers(f"http://127.0.0.1:{args.port}{QUERY}", timeout=300))
            seconds.append(time.monotonic() - asked)
        time.sleep(1)
        processes = session_processes(make.pid)
        demos = {pid for pid, _, _, command in processes if "paperfeed demo" in command}
        workers = [rss for pid, parent, rss, _ in processes if pid in demos and parent in demos]
        site = next((clone / ".venv" / "lib").glob("python*/site-packages"))
        size = subprocess.run(["du", "-sk", str(site)], capture_output=True, text=True).stdout.split()[0]
        torch = any(site.glob("torch")) or any(site.glob("torch-*"))
        print(f"searches: {statuses} in {', '.join(f'{t:.1f}' for t in seconds)} s")
        print(f"workers' RSS after a search: {', '.join(f'{kb / 1024:.0f} MB' for kb in workers)}")
        print(f"site-packages: {int(size) / 1024:.0f} MB; torch installed: {'yes' if torch else 'no'}")
        print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        return 0 if statuses and all(s == 200 for s in statuses) and workers else 1
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
