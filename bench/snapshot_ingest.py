"""Snapshot ingest throughput: `paperfeed ingest snapshot` on N synthetic papers.

Makes a synthetic snapshot (see make_snapshot.py), loads it into a fresh SQLite data
directory with the real command, then loads it again (every paper unchanged), and prints
papers per second for both, with the peak memory of the run and the database size.

    .venv/bin/python bench/snapshot_ingest.py --papers 200000
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402

HERE = Path(__file__).resolve().parent


def run(data_dir: Path, snapshot: Path, extra: list[str]) -> tuple[float, str]:
    env = {**os.environ, "PAPERFEED_DATA_DIR": str(data_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "paperfeed", "ingest", "snapshot", str(snapshot), *extra],
        env=env, capture_output=True, text=True,
    )
    if out.returncode not in (0, 3):  # 3: finished, some records quarantined (counted in the summary)
        raise SystemExit(f"paperfeed ingest snapshot failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return time.perf_counter() - started, out.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=None, help="parser processes (default: the command's)")
    args = parser.parse_args()
    extra = [] if args.workers is None else ["--workers", str(args.workers)]
    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = Path(tmp) / "snapshot.jsonl.gz"
        subprocess.run([sys.executable, str(HERE / "make_snapshot.py"), str(args.papers), str(snapshot)], check=True,
                       capture_output=True)
        data_dir = Path(tmp) / "data"
        env = {**os.environ, "PAPERFEED_DATA_DIR": str(data_dir)}
        subprocess.run([sys.executable, "-m", "paperfeed", "init"], env=env, check=True, capture_output=True)
        first, summary = run(data_dir, snapshot, extra)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"first load:  {args.papers:,} papers in {first:.1f} s = {args.papers / first:,.0f} papers/s ({summary})")
        second, summary = run(data_dir, snapshot, extra)
        print(f"second load: {args.papers:,} papers in {second:.1f} s = {args.papers / second:,.0f} papers/s ({summary})")
        size = sum(p.stat().st_size for p in data_dir.glob("paperfeed.sqlite3*")) / 1024 / 1024
        print(f"peak memory of one process: {peak_mb:,.0f} MB; database: {size:,.0f} MB "
              f"({size * 1024 / args.papers:.1f} KB per paper)")


if __name__ == "__main__":
    main()
