"""Hybrid search latency at N papers: p50/p99 of one warm client, each leg, index figures.

Papers come from make_snapshot.py (real records, shuffled words, fresh ids) through the
real `paperfeed ingest snapshot`. Embedding N papers with the real model would take hours
on two cores (docs/benchmarks.md gives its throughput), so paper vectors are made, in one
of two ways (--vectors):
- perturbed (default): each is normalise(a + β·b + 0.5·g) with a and b real MiniLM vectors
  of two random sample papers (the bundled sample's shipped vectors), β uniform in [0, 1]
  and g Gaussian noise of unit expected length — neighbourhoods like real embeddings have
  (clusters, points between them), which is what HNSW's recall depends on;
- random: unit vectors drawn uniformly, the worst case for a graph index.
Queries are real: titles of stored papers, embedded by the real model at query time; each
query is asked once per mode, so the query-vector cache never helps.

The impact lists of common words (search.impact) are built as `paperfeed index` builds them,
with the configured PAPERFEED_IMPACT_* settings, and their build time and size reported. With
--data-dir, a later run reuses the corpus, its vectors, (with --keep-index) the vector index,
and the impact lists when the index has not changed (--rebuild-impact times a full build).
The load average is printed before and after: other work on the machine shows in p99s.

    .venv/bin/python bench/search_latency.py --papers 100000 --data-dir /tmp/bench-100k
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from machine import describe


def percentiles(times: list[float]) -> str:
    times = sorted(times)
    p50, p99 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]
    return f"p50 {p50:.1f} ms, p99 {p99:.1f} ms"


def resident_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def make_vectors(count: int, dims: int, kind: str, rng):
    import numpy as np

    if kind == "random":
        vectors = rng.normal(size=(count, dims)).astype(np.float32)
    else:
        from paperfeed.sample import SAMPLE_DIR, VECTORS_FILE

        with np.load(SAMPLE_DIR / VECTORS_FILE) as data:
            real = data["vectors"].astype(np.float32)
        a, b = rng.integers(0, len(real), count), rng.integers(0, len(real), count)
        noise = rng.normal(size=(count, dims)).astype(np.float32) / np.sqrt(dims)
        vectors = real[a] + rng.random((count, 1), dtype=np.float32) * real[b] + 0.5 * noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def store_vectors(model: str, dims: int, kind: str) -> None:
    import numpy as np
    from django.utils import timezone

    from paperfeed.papers.bulk import insert_rows
    from paperfeed.papers.models import Paper
    from paperfeed.search.models import PaperVector

    now = timezone.now()
    rng = np.random.default_rng(0)
    ids = list(Paper.objects.values_list("id", flat=True))
    for start in range(0, len(ids), 20_000):
        part = ids[start : start + 20_000]
        vectors = make_vectors(len(part), dims, kind, rng)
        insert_rows(
            PaperVector,
            ["paper", "model", "digest", "vector", "updated_at"],
            [(pid, model, f"bench-{kind}", v.astype("<f2").tobytes(), now) for pid, v in zip(part, vectors)],
        )


def hnsw_recall(graph, vectors, queries, ef_values: list[int]) -> None:
    """Recall@10 of the HNSW index against the exact scan of the same float16 vectors.

    `graph` is the index search uses when it is a graph; otherwise one is built here with
    the same parameters."""
    import numpy as np

    from paperfeed.search.engines.faiss_file import build_index

    exact = build_index(vectors, approximate=False)
    _, truth = exact.search(queries, 10)
    if graph is None:
        started = time.perf_counter()
        graph = build_index(vectors, approximate=True)
        print(f"HNSW build for the recall check: {time.perf_counter() - started:.1f} s")
    for ef in ef_values:
        graph.hnsw.efSearch = ef
        times, found = [], []
        for q in queries:
            began = time.perf_counter()
            found.append(graph.search(q.reshape(1, -1), 10)[1][0])
            times.append((time.perf_counter() - began) * 1000)
        recall = np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found)])
        print(f"  efSearch {ef:>4}: recall@10 {recall:.3f}, search {percentiles(times)}")


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} at {time.strftime('%Y-%m-%d %H:%M:%S')}"


def impact_lists(force: bool) -> None:
    """Build the impact lists as `paperfeed index` does, and say what they hold."""
    from django.conf import settings
    from django.db import connection

    from paperfeed.search.engines import engine
    from paperfeed.search.engines.base import FIELD_WEIGHTS
    from paperfeed.search.impact_build import build_impact_lists

    threshold, length = engine().impact_threshold, settings.PAPERFEED_IMPACT_LIST_LENGTH
    started = time.perf_counter()
    built = build_impact_lists(threshold, length, FIELD_WEIGHTS, force=force)
    print(built.line() + ("" if built.reused else f" (build {time.perf_counter() - started:.1f} s)"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT b.threshold, b.list_length, b.terms, b.started_at, b.finished_at, "
            "COALESCE(SUM(length(i.ids) + length(i.impacts)), 0) "
            "FROM search_term_impact_build b LEFT JOIN search_term_impact i ON i.generation = b.generation "
            "WHERE b.state = 'current' GROUP BY b.generation"
        )
        row = cursor.fetchone()
    if row:
        print(
            f"  current lists: words held by more than {row[0]:,} papers, {row[1]:,} best papers per list; "
            f"{row[2]:,} lists, {row[5] / 1024 / 1024:,.1f} MB stored; built {row[3]} → {row[4]}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--data-dir", type=Path, help="reuse (or keep) this data directory")
    parser.add_argument("--vectors", choices=["perturbed", "random"], default="perturbed")
    parser.add_argument(
        "--recall",
        type=int,
        nargs="*",
        metavar="EF",
        help="also measure HNSW recall@10 against exact search at these efSearch values",
    )
    parser.add_argument("--fts-rebuild", action="store_true", help="also time rebuilding the FTS5 index")
    parser.add_argument("--keep-index", action="store_true", help="reuse the vector index written by an earlier run")
    parser.add_argument("--rebuild-impact", action="store_true", help="rebuild the impact lists even if up to date")
    parser.add_argument(
        "--prepare-only",
        action="store_true",
        help="make the corpus and its indexes in --data-dir, measure nothing (for a later, quieter run)",
    )
    args = parser.parse_args()
    print(describe())
    print(load_average())
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="paperfeed-bench-"))
    os.environ["PAPERFEED_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    env = {**os.environ}
    if not (data_dir / "paperfeed.sqlite3").exists():
        snapshot = data_dir / "snapshot.jsonl.gz"
        data_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(HERE / "make_snapshot.py"), str(args.papers), str(snapshot)], check=True)
        subprocess.run(
            [sys.executable, "-m", "paperfeed", "ingest", "snapshot", str(snapshot)],
            env=env,
            check=True,
            stderr=subprocess.DEVNULL,
        )
        snapshot.unlink()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from paperfeed.core import preflight

    preflight.migrate()  # a corpus kept from an earlier version may lack newer tables

    from paperfeed.papers.models import Paper
    from paperfeed.search.embedder import shared_embedder
    from paperfeed.search.engines import current_index, engine
    from paperfeed.search.engines.base import HNSW_EF_SEARCH
    from paperfeed.search.engines.faiss_file import index_dir, load_vectors
    from paperfeed.search.hybrid import rank
    from paperfeed.search.indexer import write_vector_index
    from paperfeed.search.models import PaperVector

    model = settings.PAPERFEED_EMBEDDING_MODEL
    embedder = shared_embedder()
    print(f"embedding runtime {embedder.runtime_used}; lexical postings budget {settings.PAPERFEED_LEXICAL_POSTINGS:,}")
    if args.fts_rebuild:
        started = time.perf_counter()
        engine().lexical.rebuild()
        print(f"FTS5 index rebuilt in {time.perf_counter() - started:.1f} s")
    if not PaperVector.objects.filter(model=model).exists():
        started = time.perf_counter()
        store_vectors(model, embedder.dimensions, args.vectors)
        print(f"stored {args.vectors} vectors in {time.perf_counter() - started:.1f} s")
    kind = PaperVector.objects.filter(model=model).values_list("digest", flat=True).first()
    started = time.perf_counter()
    if not (args.keep_index and (index_dir(model) / "manifest.json").exists()):
        write_vector_index(model)
    build = time.perf_counter() - started
    impact_lists(args.rebuild_impact)
    if args.prepare_only:
        return
    titles = list(Paper.objects.order_by("?").values_list("title", flat=True)[: args.queries * 3])
    embedder.encode(["warm-up"])
    before = resident_mb()
    index = current_index()
    loaded = resident_mb() - before
    count = len(index)
    size = sum(p.stat().st_size for p in index_dir(model).iterdir())
    print(
        f"papers: {count:,} ({kind} vectors); vector index ({'HNSW' if index.manifest['approximate'] else 'exact'}) "
        f"{'reused' if args.keep_index else f'written in {build:.1f} s from the database'}; {size / count:.0f} bytes per paper on disk, "
        f"{loaded * 1024 * 1024 / count:.0f} bytes per paper resident after loading it"
    )

    if args.recall:
        _, vectors = load_vectors(model)
        queries = embedder.encode(titles[: args.queries])
        hnsw_recall(index.index if index.manifest["approximate"] else None, vectors, queries, args.recall)
        if index.manifest["approximate"]:
            index.index.hnsw.efSearch = HNSW_EF_SEARCH  # back to what search uses
        del vectors

    rank(titles[-1])  # warm: model, index, SQLite caches
    # Each mode gets its own titles so that no mode finds its query vector cached.
    sets = {
        mode: titles[i * args.queries : (i + 1) * args.queries]
        for i, mode in enumerate(("lexical", "semantic", "hybrid"))
    }
    probe = embedder.encode(["vector search"])[0]
    legs = {
        "query embedding": lambda t: embedder.encode([t]),
        "vector search": lambda t: index.search(probe, 100),
    }
    for name, leg in legs.items():
        times = []
        for title in sets["lexical"]:
            began = time.perf_counter()
            leg(title)
            times.append((time.perf_counter() - began) * 1000)
        print(f"{name:>16}: {percentiles(times)}")
    for mode, queries in sets.items():
        times = []
        for title in queries:
            began = time.perf_counter()
            rank(title, mode)
            times.append((time.perf_counter() - began) * 1000)
        print(f"{mode:>16}: {percentiles(times)} over {len(times)} queries (query embedding included)")
    from paperfeed.search.impact import impact_store

    print(f"impact lists cached by this process after the queries: {impact_store.cached_bytes() / 1024 / 1024:,.1f} MB")
    print(load_average())
    db = sum(p.stat().st_size for p in data_dir.glob("paperfeed.sqlite3*"))
    print(
        f"resident memory of this process: {resident_mb():,.0f} MB (peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB); "
        f"database {db / 1024 / 1024:,.0f} MB ({db / count:,.0f} bytes per paper, vectors table included)"
    )
    connection.close()


if __name__ == "__main__":
    main()
