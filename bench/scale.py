"""paperfeed at N papers (a million by default) on SQLite or PostgreSQL: ingest, indexes, search, pages, load.

    .venv/bin/python bench/scale.py --papers 1000000 --database sqlite --keep /tmp/pf-scale-sqlite
    .venv/bin/python bench/scale.py --reuse /tmp/pf-scale-sqlite --workers 2,4 --duration 60
    .venv/bin/python bench/scale.py --reuse /tmp/pf-scale-sqlite --steps 5 --mix latest=50,paper=50

Steps, each printing its figures (and the load average when it started):

1. ingest: a synthetic snapshot of N papers (bench/make_snapshot.py: real sample records, fresh
   ids, shuffled title/abstract words; cached under the temporary directory by N) loaded by the
   real `paperfeed ingest snapshot FILE` in a child process → papers/s, wall time, database size
   (SQLite files; PostgreSQL pg_database_size). On SQLite the FTS5 keyword index is filled in
   the same transactions; on PostgreSQL the generated tsvector column and its GIN index are.
2. indexes: embedding a million papers is out of reach here (~68 papers/s on two cores), so
   vectors are synthetic: each paper gets the shipped MiniLM vector of a random sample paper
   plus Gaussian noise (σ 0.05 per dimension, then back to unit length; the result lies at
   cosine ≈ 0.7 from its source vector). They are inserted as PaperVector rows in batches
   (timed on its own), then `write_vector_index(model)` is timed: the faiss HNSW file on SQLite,
   the pgvector column fill plus the HNSW build on PostgreSQL. Then `paperfeed index --no-embed`
   (a child process) is timed: it builds the impact lists of common words.
3. search: hybrid.rank() in this process, one client, warm (20 queries first), ~200 queries
   per mode — half real sample titles, half 2–6-word phrases of real sample abstracts; each mode
   gets its own queries, so the query-vector cache never helps → p50/p99 of hybrid, p50 of the
   semantic leg alone and of the lexical leg alone.
4. pages: 40 random papers listed per day for the 60 days up to today (heavy-tailed imported
   upvotes; trending recomputed), then django.test.Client (in this process, warm) GETs the
   latest day, a listed day, trending, a listed paper and a search page, ~100 times each.
5. load: `paperfeed serve --workers W` (child process, same environment) for each W, loaded by
   bench/load.py in its own process (16 clients, a closed loop) → requests/s, errors (any
   non-200 or exception), p50/p99, and the RSS (and PSS: shared pages counted once) of the
   gunicorn master and each worker at the end. Pages are not rate-limited (only the JSON API
   and writes are), so no setting is changed for it.

On PostgreSQL without --database-url a throwaway server is started (tests/postgres_server.py:
PostgreSQL 16 from the pgserver wheel, pgvector 0.6). It runs with fsync=off,
synchronous_commit=off and full_page_writes=off, which flatters every write figure. Large data
goes under the system's temporary directory; --keep/--reuse keep a loaded run (the PostgreSQL
cluster too) so later steps can be re-run without loading again.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]  # machine.py, and tests.postgres_server
from machine import describe

SAMPLE_SNAPSHOT = REPO / "src" / "paperfeed" / "sample" / "arxiv-snapshot.jsonl.gz"
SNAPSHOT_CACHE = Path(tempfile.gettempdir()) / "paperfeed-bench-snapshots"
NOISE_SIGMA = 0.05
VECTOR_BATCH = 20_000
VECTOR_DIGEST = "synthetic-vector".ljust(32, "-")  # never a real digest: `paperfeed index` would re-embed
LIST_DAYS, LIST_PER_DAY = 60, 40
WARM_QUERIES = 20
# The load test's mix: half feed pages, 30% paper pages, 20% search pages.
MIX = {"latest": 15, "day": 20, "trending": 15, "paper": 30, "search": 20}


# -- small helpers -----------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def load_average() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def step(title: str) -> None:
    print(f"\n== {title} ({load_average()}, {time.strftime('%Y-%m-%d %H:%M')}) ==", flush=True)


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def megabytes(size: float) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


@contextmanager
def heartbeat(label: str, every: float = 60, detail: Callable[[], str] | None = None) -> Iterator[None]:
    """A line every `every` seconds while a long call without progress of its own runs."""
    stop, started = threading.Event(), time.perf_counter()

    def beat() -> None:
        while not stop.wait(every):
            extra = ""
            if detail:
                try:
                    extra = f" ({detail()})"
                except Exception as exc:  # noqa: BLE001 - a progress line must never end the run
                    extra = f" (progress unknown: {exc})"
            log(f"{label}: {(time.perf_counter() - started) / 60:.1f} min{extra}")
        if detail:
            from django.db import connections

            connections.close_all()  # this thread's own connection, if detail() opened one

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


# -- where the run lives -----------------------------------------------------------------------


def run_root(args) -> tuple[Path, bool]:
    """The run's directory and whether to keep it. Never inside the checkout: it grows to GBs."""
    if args.reuse:
        root = args.reuse.resolve()
        if not (root / "state.json").exists():
            raise SystemExit(f"--reuse {root}: no state.json there (make one with --keep)")
    elif args.keep:
        root = args.keep.resolve()
        if (root / "state.json").exists():
            raise SystemExit(f"--keep {root}: already holds a run; use --reuse {root}")
        root.mkdir(parents=True, exist_ok=True)
    else:
        root = Path(tempfile.mkdtemp(prefix="paperfeed-scale-"))
    if root == REPO or REPO in root.parents:
        raise SystemExit(f"{root} is inside the repository; put benchmark data under {tempfile.gettempdir()}")
    root.chmod(0o755)  # PostgreSQL, run as `nobody` under root, must reach its directory inside
    return root, bool(args.keep or args.reuse)


def read_state(root: Path) -> dict:
    path = root / "state.json"
    return json.loads(path.read_text()) if path.exists() else {"steps": {}}


def save_state(root: Path, state: dict) -> None:
    (root / "state.json").write_text(json.dumps(state, indent=1))


@contextmanager
def kept_postgres(directory: Path) -> Iterator[str]:
    """A PostgreSQL cluster that outlives the run (for --keep/--reuse), started like
    tests.postgres_server's throwaway one (same binaries, settings and user), stopped cleanly."""
    from tests.postgres_server import DATABASE, SETTINGS, SUPERUSER, _run, _run_as, install_dir

    run_as = _run_as()
    binaries = install_dir() / "bin"
    fresh = not (directory / "data").exists()
    directory.mkdir(parents=True, exist_ok=True)
    if run_as:
        binaries = _private_binaries(directory, run_as)
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    data, log_file = directory / "data", directory / "server.log"
    if fresh:
        _run(
            [
                binaries / "initdb",
                "-D",
                data,
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            env=env,
            **run_as,
        )
    options = f"-k {directory} -h '' " + " ".join(f"-c {s}" for s in SETTINGS)
    _run(
        [binaries / "pg_ctl", "-D", data, "-l", log_file, "-o", options, "-w", "-t", "120", "start"],
        log=log_file,
        env=env,
        **run_as,
    )
    try:
        if fresh:
            _run([binaries / "createdb", "-h", directory, "-U", SUPERUSER, DATABASE], env=env)
        yield f"postgresql://{SUPERUSER}@{quote(str(directory), safe='')}/{DATABASE}"
    finally:
        subprocess.run(
            [binaries / "pg_ctl", "-D", data, "-m", "fast", "-w", "-t", "300", "stop"],
            capture_output=True,
            check=False,
            env=env,
            **run_as,
        )


def _private_binaries(directory: Path, run_as: dict) -> Path:
    """Under root the server runs as `nobody`, who may not read the checkout's venv: a copy of
    the binaries in the cluster's directory (as tests/postgres_server.py does)."""
    from tests.postgres_server import install_dir

    site = directory / "site"
    if not site.exists():
        for part in ("bin", "lib", "share"):
            shutil.copytree(install_dir() / part, site / "pgserver" / "pginstall" / part, symlinks=True)
        shutil.copytree(install_dir().parents[1] / "pgserver.libs", site / "pgserver.libs", symlinks=True)
    os.chown(directory, run_as["user"], run_as["group"])
    return site / "pgserver" / "pginstall" / "bin"


def database_server(args, root: Path, keep: bool):
    """A context yielding the DATABASE_URL (None for SQLite)."""
    if args.database == "sqlite":
        return nullcontext(None)
    if args.database_url:
        return nullcontext(args.database_url)
    if keep:
        return kept_postgres(root / "pg")
    from tests.postgres_server import postgres_server

    return postgres_server()


def child_env(data_dir: Path, url: str | None) -> dict:
    env = {**os.environ, "PAPERFEED_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "paperfeed.settings"}
    env.pop("DATABASE_URL", None)
    if url:
        env["DATABASE_URL"] = url
    return env


def paperfeed(env: dict, *arguments: str, capture: bool = True) -> subprocess.CompletedProcess:
    """A `paperfeed` command in a child process; its progress lines (stderr) pass through."""
    return subprocess.run(
        [sys.executable, "-m", "paperfeed", *arguments],
        env=env,
        stdout=subprocess.PIPE if capture else None,
        text=True,
        check=False,
    )


# -- 1. ingest ---------------------------------------------------------------------------------


def snapshot_file(papers: int) -> Path:
    """The synthetic snapshot of N papers, made once and cached (make_snapshot is deterministic)."""
    path = SNAPSHOT_CACHE / f"snapshot-{papers}.jsonl.gz"
    if path.exists():
        log(f"snapshot: reusing {path}")
        return path
    SNAPSHOT_CACHE.mkdir(parents=True, exist_ok=True)
    partial = SNAPSHOT_CACHE / f".partial-{os.getpid()}-{papers}.jsonl.gz"
    log(f"snapshot: writing {papers:,} synthetic papers to {path} (not timed)")
    with heartbeat("snapshot still being written"):
        subprocess.run([sys.executable, str(HERE / "make_snapshot.py"), str(papers), str(partial)], check=True)
    partial.rename(path)
    return path


def ingest(env: dict, papers: int) -> dict:
    snapshot = snapshot_file(papers)
    init = paperfeed(env, "init")
    if init.returncode:
        raise SystemExit(f"paperfeed init failed ({init.returncode}):\n{init.stdout}")
    log(f"ingest: paperfeed ingest snapshot ({papers:,} papers)")
    started = time.perf_counter()
    done = paperfeed(env, "ingest", "snapshot", str(snapshot))
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 3):  # 3: finished, some records quarantined (counted in the summary)
        raise SystemExit(f"paperfeed ingest snapshot failed ({done.returncode}):\n{done.stdout}")
    return {"papers": papers, "seconds": seconds, "rate": papers / seconds, "summary": done.stdout.strip()}


def database_bytes(data_dir: Path) -> int:
    from django.db import connection

    if connection.vendor == "sqlite":
        return sum(p.stat().st_size for p in data_dir.glob("paperfeed.sqlite3*"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0]


def print_ingest(figures: dict) -> None:
    print(
        f"ingest: {figures['papers']:,} papers in {figures['seconds']:,.1f} s = {figures['rate']:,.0f} papers/s "
        f"(start-up of the command included); database after ingest {megabytes(figures['database_bytes'])} "
        f"({figures['database_bytes'] / figures['papers'] / 1024:.1f} KB/paper)\n  command said: {figures['summary']}"
    )


# -- 2. vectors and indexes --------------------------------------------------------------------


def sample_vectors():
    """The shipped MiniLM vectors of the sample papers (float16 on disk), as float32 rows."""
    import numpy as np

    from paperfeed.sample import SAMPLE_DIR, VECTORS_FILE

    with np.load(SAMPLE_DIR / VECTORS_FILE, allow_pickle=False) as data:
        return data["vectors"].astype(np.float32)


def synthetic_vectors(base, count: int, rng):
    """A random sample vector each, plus N(0, σ²) per dimension, back to unit length."""
    import numpy as np

    vectors = base[rng.integers(0, len(base), count)] + rng.normal(0.0, NOISE_SIGMA, (count, base.shape[1]))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype("<f2")


def store_vectors(model: str) -> dict:
    import numpy as np
    from django.db import transaction
    from django.utils import timezone

    from paperfeed.papers.bulk import insert_rows
    from paperfeed.papers.models import Paper
    from paperfeed.search.models import PaperVector

    base, rng, now = sample_vectors(), np.random.default_rng(7), timezone.now()
    ids = list(Paper.objects.order_by("id").values_list("id", flat=True))
    inserting = making = 0.0
    for start in range(0, len(ids), VECTOR_BATCH):
        part = ids[start : start + VECTOR_BATCH]
        began = time.perf_counter()
        vectors = synthetic_vectors(base, len(part), rng)
        rows = [(pid, model, VECTOR_DIGEST, v.tobytes(), now) for pid, v in zip(part, vectors)]
        making += time.perf_counter() - began
        began = time.perf_counter()
        with transaction.atomic():
            insert_rows(PaperVector, ["paper", "model", "digest", "vector", "updated_at"], rows)
        inserting += time.perf_counter() - began
        if (start // VECTOR_BATCH) % 10 == 9 or start + VECTOR_BATCH >= len(ids):
            log(f"vectors: {min(start + VECTOR_BATCH, len(ids)):,}/{len(ids):,} inserted")
    return {"count": len(ids), "insert_seconds": inserting, "make_seconds": making}


def vector_similarity_check(model: str) -> float:
    """Mean cosine of a few stored vectors with their nearest sample vector (what σ did)."""
    import numpy as np

    from paperfeed.search.models import PaperVector

    base = sample_vectors()
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    blobs = PaperVector.objects.filter(model=model).values_list("vector", flat=True)[:500]
    stored = np.vstack([np.frombuffer(bytes(b), dtype="<f2").astype(np.float32) for b in blobs])
    return float((stored @ base.T).max(axis=1).mean())


def pg_build_progress() -> str:
    """What pgvector says of a running CREATE INDEX (from this thread's own connection)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phase, tuples_done, tuples_total FROM pg_stat_progress_create_index")
        rows = cursor.fetchall()
    return "; ".join(f"{phase}: {done:,}/{total:,} tuples" for phase, done, total in rows) or "no index build seen"


def build_vector_index(model: str) -> dict:
    from django.db import connection

    from paperfeed.search.indexer import write_vector_index

    notices: list[str] = []
    marks: dict[str, float] = {}
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        # pgvector says when the graph outgrows maintenance_work_mem (the build then slows down).
        connection.connection.add_notice_handler(lambda diag: notices.append(diag.message_primary))

    def progress(done: int, total: int | None, label: str) -> None:
        marks["fill_done"] = time.perf_counter()
        if total and (done == total or done % 100_000 < 5_000):
            log(f"{label}: {done:,}/{total:,}")

    detail = pg_build_progress if connection.vendor == "postgresql" else None
    started = time.perf_counter()
    with heartbeat("vector index still being written", detail=detail):
        count = write_vector_index(model, progress=progress)
    ended = time.perf_counter()
    # Only pgvector's own notices: the others (temporary table already there…) are routine.
    notices = [n for n in notices if any(word in n.lower() for word in ("hnsw", "maintenance_work_mem"))]
    figures = {"count": count, "seconds": ended - started, "notices": notices}
    if "fill_done" in marks:
        figures.update(fill_seconds=marks["fill_done"] - started, graph_seconds=ended - marks["fill_done"])
    figures.update(vector_index_facts(model))
    return figures


def vector_index_facts(model: str) -> dict:
    from django.db import connection

    from paperfeed.search.engines.faiss_file import index_dir

    if connection.vendor == "sqlite":
        directory = index_dir(model)
        graph = json.loads((directory / "manifest.json").read_text())["approximate"]
        size = sum(p.stat().st_size for p in directory.iterdir())
        return {"kind": "faiss file, " + ("HNSW" if graph else "exact scan"), "index_bytes": size}
    from paperfeed.search.engines.pgvector import index_name

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(pg_relation_size(to_regclass(%s)), 0)", [index_name(model)])
        size = cursor.fetchone()[0]
        cursor.execute("SELECT current_setting('shared_buffers'), current_setting('max_parallel_maintenance_workers')")
        buffers, parallel = cursor.fetchone()
    return {
        "kind": "pgvector, " + ("HNSW" if size else "exact scan (below PAPERFEED_ANN_THRESHOLD)"),
        "index_bytes": size,
        "server": f"shared_buffers {buffers}, max_parallel_maintenance_workers {parallel}; "
        "the build sets maintenance_work_mem 1GB for its session",
    }


def index_no_embed(env: dict) -> dict:
    log("paperfeed index --no-embed")
    started = time.perf_counter()
    done = paperfeed(env, "index", "--no-embed")
    return {"seconds": time.perf_counter() - started, "returncode": done.returncode, "output": done.stdout.strip()}


def print_indexes(state: dict) -> None:
    vectors, index, extra = state["vectors"], state["index"], state["index_no_embed"]
    print(
        f"vectors (synthetic: random sample vector + N(0, {NOISE_SIGMA}²) per dimension, re-normalised; "
        f"mean cosine to the nearest sample vector {vectors['cosine_to_source']:.2f}): "
        f"{vectors['count']:,} PaperVector rows "
        f"inserted in {vectors['insert_seconds']:,.1f} s ({vectors['count'] / vectors['insert_seconds']:,.0f} rows/s; "
        f"making them took another {vectors['make_seconds']:,.1f} s)"
    )
    split = ""
    if "graph_seconds" in index:
        split = f" = column fill {index['fill_seconds']:,.1f} s + HNSW build {index['graph_seconds']:,.1f} s"
    print(
        f"vector index ({index['kind']}): write_vector_index {index['seconds']:,.1f} s{split}; "
        f"index {megabytes(index['index_bytes'])}" + (f"; server: {index['server']}" if "server" in index else "")
    )
    for notice in index.get("notices", [])[:3]:
        print(f"  PostgreSQL notice: {notice}")
    status = "ok" if extra["returncode"] == 0 else f"FAILED (exit {extra['returncode']})"
    said = " / ".join(extra["output"].splitlines()) or "nothing"
    print(f"paperfeed index --no-embed: {extra['seconds']:,.1f} s, {status}; it said: {said}")
    print(f"database with vectors and indexes: {megabytes(state['database_bytes_indexed'])}")


# -- 3. search ---------------------------------------------------------------------------------


def query_pool(seed: int = 3) -> Iterator[str]:
    """Endless distinct queries, alternating a real sample title and a 2–6-word phrase of a
    real sample abstract (titles run out after ~2,200; phrases then repeat at random)."""
    with gzip.open(SAMPLE_SNAPSHOT, "rt") as f:
        records = [json.loads(line) for line in f]
    rng = random.Random(seed)
    titles = [" ".join(r["title"].split()) for r in records]
    rng.shuffle(titles)
    abstracts = [r["abstract"].split() for r in records if len((r.get("abstract") or "").split()) > 10]
    seen: set[str] = set()
    for n in range(10**9):
        if n % 2 == 0 and titles:
            query = titles.pop()
        else:
            words = rng.choice(abstracts)
            length = rng.randint(2, 6)
            start = rng.randrange(len(words) - length)
            query = " ".join(words[start : start + length]).strip(".,;:()")
        if query and query not in seen:
            seen.add(query)
            yield query


def take(pool: Iterator[str], count: int) -> list[str]:
    return [next(pool) for _ in range(count)]


def time_search(pool: Iterator[str], count: int) -> dict:
    from paperfeed.search.embedder import shared_embedder
    from paperfeed.search.hybrid import rank
    from paperfeed.search.impact import impact_store

    for query in take(pool, WARM_QUERIES):
        rank(query)
    figures = {"runtime": shared_embedder().runtime_used}
    for mode in ("hybrid", "semantic", "lexical"):
        times, used = [], set()
        counts_before = dataclasses.replace(impact_store.counts)
        for query in take(pool, count):
            began = time.perf_counter()
            used.add(rank(query, mode).mode)
            times.append((time.perf_counter() - began) * 1000)
        figures[mode] = {"p50": percentiles(times)[0], "p99": percentiles(times)[1], "modes_used": sorted(used)}
        figures[mode]["lists"] = impact_list_reads(counts_before, impact_store.counts)
        log(f"search {mode}: p50 {figures[mode]['p50']:.1f} ms")
    counts = impact_store.counts
    figures["lists_held"] = (
        f"{impact_store.cached_bytes() / 2**20:,.1f} of {impact_store.budget_bytes() / 2**20:,.1f} MB; "
        f"{counts.preloaded:,} of them read on meeting the build, in {counts.preload_seconds:,.2f} s"
    )
    return figures


def impact_list_reads(before, after) -> str:
    """The impact-list lookups of one mode's queries: in memory, or read from the database."""
    hits, misses = after.hits - before.hits, after.misses - before.misses
    megabytes_read, seconds = (after.bytes_read - before.bytes_read) / 2**20, after.read_seconds - before.read_seconds
    return (
        f"lists {hits + misses:,} looked up, {misses:,} read ({megabytes_read:,.1f} MB, {seconds * 1000:,.0f} ms), "
        f"{after.evictions - before.evictions:,} evicted"
    )


def print_search(figures: dict, count: int) -> None:
    print(f"search, one client, warm, in-process, {count} queries per mode (embedding runtime {figures['runtime']}):")
    for mode in ("hybrid", "semantic", "lexical"):
        f = figures[mode]
        fell_back = "" if f["modes_used"] == [mode] else f" (ran as {f['modes_used']})"
        print(f"  {mode:>8}: p50 {f['p50']:,.1f} ms, p99 {f['p99']:,.1f} ms{fell_back}; {f.get('lists', '')}")
    if "lists_held" in figures:
        print(f"  impact lists held by this process: {figures['lists_held']} (PAPERFEED_IMPACT_CACHE_MB)")


# -- 4. daily lists and pages ------------------------------------------------------------------


def list_papers_daily() -> dict:
    """40 random papers a day for the 60 days up to today, with heavy-tailed imported upvotes
    (the DailyEntry rows behind daily pages), then the trending scores."""
    from django.utils import timezone

    from paperfeed.feeds import trending
    from paperfeed.papers.daily import Listing, list_papers
    from paperfeed.papers.models import DailyEntry, Paper

    if not DailyEntry.objects.exists():
        rng = random.Random(11)
        ids = list(Paper.objects.order_by().values_list("id", flat=True))  # unordered: no sort of N rows
        chosen = rng.sample(ids, LIST_DAYS * LIST_PER_DAY)
        today = timezone.now().date()
        listings = [
            Listing(pid, today - timedelta(days=n // LIST_PER_DAY), min(500, int(3 * (rng.paretovariate(1.1) - 1))))
            for n, pid in enumerate(chosen)
        ]
        for start in range(0, len(listings), 500):
            list_papers(listings[start : start + 500])
    scored = trending.recompute()
    days = sorted({d.isoformat() for d in DailyEntry.objects.order_by().values_list("date", flat=True).distinct()})
    papers = list(DailyEntry.objects.values_list("paper__arxiv_id", flat=True))
    return {"days": days, "papers": papers, "trending": scored}


def page_paths(listed: dict, pool: Iterator[str], searches: int) -> dict[str, list[str]]:
    return {
        "latest": ["/papers"],
        "day": [f"/papers/date/{d}" for d in listed["days"]],
        "trending": ["/papers/trending"],
        "paper": [f"/papers/{a}" for a in listed["papers"]],
        "search": ["/papers/search?" + urlencode({"q": q}) for q in take(pool, searches)],
    }


def time_pages(paths: dict[str, list[str]], requests: int) -> dict:
    """Round-robin over the kinds (so background load hits them alike); warm-up first."""
    import traceback

    from django.test import Client

    client = Client(HTTP_HOST="localhost")  # ALLOWED_HOSTS has no "testserver"
    rng = random.Random(5)
    times: dict[str, list[float]] = {kind: [] for kind in paths}
    errors: dict[str, list[str]] = {kind: [] for kind in paths}
    for n in range(requests + 5):
        for kind, choices in paths.items():
            path = choices[n % len(choices)] if kind == "search" else rng.choice(choices)
            began = time.perf_counter()
            try:
                status = client.get(path).status_code
            except Exception:  # noqa: BLE001 - a page that fails is a finding, not the end of the run
                status = "exception:\n" + traceback.format_exc()
            elapsed = (time.perf_counter() - began) * 1000
            if status != 200:
                errors[kind].append(f"{path}: {status}")
            elif n >= 5:
                times[kind].append(elapsed)
    return {
        kind: {
            "p50": percentiles(t)[0] if t else None,
            "p99": percentiles(t)[1] if t else None,
            "count": len(t),
            "errors": errors[kind][:3],
            "error_count": len(errors[kind]),
        }
        for kind, t in times.items()
    }


def print_pages(figures: dict, listed: dict) -> None:
    print(
        f"pages, django.test.Client in-process, warm ({len(listed['papers']):,} daily entries on "
        f"{len(listed['days'])} days; {listed['trending']:,} trending scores):"
    )
    for kind, f in figures.items():
        timing = f"p50 {f['p50']:,.1f} ms, p99 {f['p99']:,.1f} ms" if f["p50"] is not None else "no successful request"
        print(f"  {kind:>8}: {timing} over {f['count']} requests; errors {f['error_count']}")
        for error in f["errors"]:
            print(f"    {error}")


# -- 5. load through gunicorn ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(server: subprocess.Popen, base: str, log_file: Path, seconds: float = 180) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"paperfeed serve exited ({server.returncode}):\n{log_file.read_text()[-3000:]}")
        try:
            if httpx.get(base + "/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"paperfeed serve did not answer in {seconds:.0f} s")


def server_memory(pid: int) -> dict:
    """RSS of the master and each worker; PSS too, which counts pages shared since the fork once."""
    import psutil

    def mb(process) -> dict:
        info = process.memory_full_info()
        return {"rss_mb": info.rss / 2**20, "pss_mb": info.pss / 2**20}

    master = psutil.Process(pid)
    return {"master": mb(master), "workers": [mb(child) for child in master.children()]}


def run_load(base: str, plan: Path, args, result_file: Path, cookie: str | None = None) -> dict:
    """bench/load.py against `base` with the plan and the run's concurrency, duration and
    warm-up; its figures, read back from `result_file` (its own report is not printed)."""
    command = [
        sys.executable,
        str(HERE / "load.py"),
        base,
        "--plan",
        str(plan),
        "--concurrency",
        str(args.concurrency),
        "--duration",
        str(args.duration),
        "--warmup",
        str(args.warmup),
        "--json",
        str(result_file),
    ] + (["--cookie", cookie] if cookie else [])
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return json.loads(result_file.read_text())


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def load_test(env: dict, root: Path, workers: int, plan: Path, args) -> dict:
    port, log_file = free_port(), root / f"serve-{workers}-workers.log"
    base = f"http://127.0.0.1:{port}"
    with open(log_file, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "paperfeed", "serve", "--workers", str(workers), "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(server, base, log_file)
        result_file = root / f"load-{workers}-workers.json"
        log(
            f"load: {workers} workers on {base}, {args.concurrency} clients, "
            f"{args.duration:.0f} s (+{args.warmup:.0f} s warm-up)"
        )
        result = run_load(base, plan, args, result_file)
        result["memory"] = server_memory(server.pid)
        result["load_average"] = load_average()
        return result
    finally:
        stop(server)


def parse_mix(text: str) -> dict[str, float]:
    """ "latest=15,day=20,…" → weights; kinds left out get weight 0."""
    mix = {kind: 0.0 for kind in MIX}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, _, weight = part.partition("=")
        if kind not in mix:
            raise SystemExit(f"--mix: unknown page kind {kind!r} (known: {', '.join(MIX)})")
        mix[kind] = float(weight)
    return mix


def write_plan(root: Path, paths: dict[str, list[str]], mix_text: str) -> Path:
    plan = root / "load-plan.json"
    mix = parse_mix(mix_text)
    groups = [{"name": kind, "weight": weight, "paths": paths[kind]} for kind, weight in mix.items() if weight > 0]
    plan.write_text(json.dumps({"groups": groups}, indent=1))
    return plan


def print_load(workers: int, r: dict) -> None:
    memory = r["memory"]
    per_worker = ", ".join(f"{w['rss_mb']:,.0f} (PSS {w['pss_mb']:,.0f})" for w in memory["workers"])
    print(
        f"gunicorn {workers} workers × 4 threads, {r['concurrency']} clients, {r['seconds']:.0f} s: "
        f"{r['requests_per_second']:,.1f} requests/s, errors {r['errors']:,} of {r['requests']:,}, "
        f"p50 {r['p50_ms']:,.1f} ms, p99 {r['p99_ms']:,.1f} ms ({r['load_average']} at the end)"
    )
    for name, g in r["groups"].items():
        print(
            f"  {name:>8}: {g['requests']:,} requests, errors {g['errors']}, "
            f"p50 {g['p50_ms']:,.1f} ms, p99 {g['p99_ms']:,.1f} ms"
        )
    if r["errors"]:
        print(f"  errors by kind: {r['error_kinds']}; e.g. {r['error_samples'][:3]}")
    print(f"  RSS MB: master {memory['master']['rss_mb']:,.0f}; workers {per_worker}")
    print(f"  load generator CPU: {r['client_cpu_seconds']:.1f} s of {r['seconds']:.0f} s")


# -- the run -----------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__
    )
    parser.add_argument("--papers", type=int, default=1_000_000, help="papers to load (default %(default)s)")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default=None, help="default sqlite")
    parser.add_argument("--database-url", help="an existing, empty PostgreSQL database (else a throwaway server)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--keep", type=Path, metavar="DIR", help="run in DIR (under /tmp) and keep it for --reuse")
    where.add_argument("--reuse", type=Path, metavar="DIR", help="a run kept with --keep: skip what it already did")
    parser.add_argument("--skip-load", action="store_true", help="skip step 5, the gunicorn load test")
    parser.add_argument(
        "--index-again", action="store_true", help="with --reuse: run step 2's `paperfeed index --no-embed` again"
    )
    parser.add_argument("--steps", default="3,4,5", help="measuring steps to run (1–2 run once per data directory)")
    parser.add_argument(
        "--mix",
        default=",".join(f"{kind}={weight}" for kind, weight in MIX.items()),
        help="load-test weights per page kind (default %(default)s)",
    )
    parser.add_argument("--workers", default="2,4", help="gunicorn worker counts to test (default %(default)s)")
    parser.add_argument("--duration", type=float, default=60, help="seconds per load test (default %(default)s)")
    parser.add_argument(
        "--warmup", type=float, default=15, help="seconds of load before measuring (default %(default)s)"
    )
    parser.add_argument("--concurrency", type=int, default=16, help="load-test clients (default %(default)s)")
    parser.add_argument("--queries", type=int, default=200, help="search queries per mode (default %(default)s)")
    parser.add_argument("--page-requests", type=int, default=100, help="requests per page kind (default %(default)s)")
    args = parser.parse_args()
    args.steps = {n.strip() for n in args.steps.split(",")} - ({"5"} if args.skip_load else set())
    if args.database_url and args.database == "sqlite":
        parser.error("--database-url is a PostgreSQL database")
    return args


def settle_arguments(args, state: dict) -> None:
    """A reused run keeps its database and size; a new one records them."""
    if state.get("database"):
        if args.database and args.database != state["database"]:
            raise SystemExit(f"this run was made on {state['database']}, not {args.database}")
        args.database, args.papers = state["database"], state["papers"]
        args.database_url = args.database_url or state.get("database_url")
    args.database = args.database or ("postgres" if args.database_url else "sqlite")
    state.update(database=args.database, papers=args.papers)
    if args.database_url:
        state["database_url"] = args.database_url


def setup_django(data_dir: Path, url: str | None) -> None:
    os.environ.update(child_env(data_dir, url))
    if not url:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def ensure_empty(env: dict) -> None:
    """An existing PostgreSQL database must not hold papers: the bench would mix with them."""
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from paperfeed.papers.models import Paper; print(Paper.objects.count())",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode == 0 and check.stdout.strip() not in ("", "0"):
        raise SystemExit(f"the database already holds {check.stdout.strip()} papers; give an empty one")


def run_loading_steps(args, root: Path, state: dict, env: dict, data_dir: Path, url: str | None) -> None:
    steps = state["steps"]
    step("1. ingest")
    if "ingest" not in steps:
        if args.database_url:
            ensure_empty(env)
        steps["ingest"] = ingest(env, args.papers)
    else:
        log("ingest: reused (figures of the run that loaded it)")
    setup_django(data_dir, url)
    from django.conf import settings
    from django.db import connection

    model = settings.PAPERFEED_EMBEDDING_MODEL
    steps["ingest"].setdefault("database_bytes", database_bytes(data_dir))
    save_state(root, state)
    print_ingest(steps["ingest"])

    step("2. vectors and indexes")
    if "vectors" not in steps:
        steps["vectors"] = store_vectors(model)
        steps["vectors"]["cosine_to_source"] = vector_similarity_check(model)
        save_state(root, state)
    if "index" not in steps:
        steps["index"] = build_vector_index(model)
        save_state(root, state)
    # Never run, or failed, or asked for (after an upgrade that changes what it builds): (again)
    if args.index_again or steps.get("index_no_embed", {}).get("returncode", 1) != 0:
        connection.close()  # the child writes; this process holds nothing open meanwhile
        steps["index_no_embed"] = index_no_embed(env)
        steps["database_bytes_indexed"] = database_bytes(data_dir)
        save_state(root, state)
    print_indexes(steps)


def run_measuring_steps(args, root: Path, state: dict, env: dict) -> dict:
    from django.db import connection

    results: dict = {}
    pool = query_pool()
    if "3" in args.steps:
        step("3. hybrid search")
        results["search"] = time_search(pool, args.queries)
        print_search(results["search"], args.queries)

    listed = list_papers_daily()  # the load test's pages too
    paths = page_paths(listed, pool, args.page_requests + 5)  # +5: the warm-up round's
    if "4" in args.steps:
        step("4. pages")
        results["pages"] = time_pages(paths, args.page_requests)
        print_pages(results["pages"], listed)

    if "5" in args.steps:
        load_paths = {**paths, "search": ["/papers/search?" + urlencode({"q": q}) for q in take(pool, 500)]}
        plan = write_plan(root, load_paths, args.mix)
        connection.close()  # nothing of this process stays open under the server
        results["load"] = {}
        for workers in [int(w) for w in args.workers.split(",") if w.strip()]:
            step(f"5. load test, {workers} workers, mix {args.mix}")
            results["load"][workers] = load_test(env, root, workers, plan, args)
            print_load(workers, results["load"][workers])
    return results


def main() -> None:
    args = parse_args()
    root, keep = run_root(args)
    state = read_state(root)
    settle_arguments(args, state)
    save_state(root, state)
    data_dir = root / "data"
    print(describe())
    print(f"uptime: {uptime()}")
    print(
        f"run: {args.papers:,} papers on {args.database}; directory {root} ({'kept' if keep else 'removed at the end'})"
    )
    if args.database == "postgres" and not args.database_url:
        print(
            "PostgreSQL: a local server as tests/postgres_server.py starts it, with fsync=off, synchronous_commit=off, "
            "full_page_writes=off — write figures are flattered"
        )
    try:
        with database_server(args, root, keep) as url:
            env = child_env(data_dir, url)
            run_loading_steps(args, root, state, env, data_dir, url)
            results = run_measuring_steps(args, root, state, env)
            (root / f"results-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(
                json.dumps(
                    {"args": {k: str(v) for k, v in vars(args).items()}, "state": state, "results": results}, indent=1
                )
            )
            from django.db import connections

            connections.close_all()  # before the server stops
    finally:
        print(f"\nuptime at the end: {uptime()}")
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
