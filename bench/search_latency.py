"""Hybrid search latency at N papers: p50/p99 of one warm client, plus index figures.

Papers come from make_snapshot.py (real records, shuffled words, fresh ids) through the
real `paperfeed ingest snapshot`. Embedding N papers with the real model would take hours
on two cores (docs/benchmarks.md gives its throughput), so the paper vectors are random
unit vectors of the model's dimension: the vector index does exactly the same work on them.
Queries are real: titles of sample papers, embedded by the real model at query time.

    .venv/bin/python bench/search_latency.py --papers 100000
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
from machine import describe  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--data-dir", type=Path, help="reuse (or keep) this data directory")
    args = parser.parse_args()
    print(describe())
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="paperfeed-bench-"))
    os.environ["PAPERFEED_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    env = {**os.environ}
    if not (data_dir / "paperfeed.sqlite3").exists():
        snapshot = data_dir / "snapshot.jsonl.gz"
        data_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(HERE / "make_snapshot.py"), str(args.papers), str(snapshot)], check=True)
        subprocess.run([sys.executable, "-m", "paperfeed", "ingest", "snapshot", str(snapshot)], env=env, check=True,
                       stderr=subprocess.DEVNULL)
        snapshot.unlink()

    import django

    django.setup()
    import numpy as np
    from django.conf import settings

    from paperfeed.papers.bulk import insert_rows
    from paperfeed.papers.models import Paper
    from paperfeed.search.embedder import shared_embedder
    from paperfeed.search.hybrid import rank
    from paperfeed.search.models import PaperVector
    from paperfeed.search.vectors import current_index, index_dir
    from paperfeed.search.indexer import write_vector_index

    model = settings.PAPERFEED_EMBEDDING_MODEL
    dims = shared_embedder().dimensions
    if not PaperVector.objects.exists():
        from django.utils import timezone

        now = timezone.now()
        rng = np.random.default_rng(0)
        ids = list(Paper.objects.values_list("id", flat=True))
        for start in range(0, len(ids), 20_000):
            part = ids[start : start + 20_000]
            vectors = rng.normal(size=(len(part), dims)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            insert_rows(PaperVector, ["paper", "model", "digest", "vector", "updated_at"],
                        [(pid, model, "bench", v.astype("<f2").tobytes(), now) for pid, v in zip(part, vectors)])
    started = time.perf_counter()
    count = write_vector_index(model)
    build = time.perf_counter() - started
    index = current_index()
    size = sum(p.stat().st_size for p in index_dir(model).iterdir())
    print(f"papers: {count:,}; vector index built in {build:.1f} s ({'HNSW' if index.manifest['approximate'] else 'exact'}), "
          f"{size / count:.0f} bytes per paper on disk and in memory")

    titles = list(Paper.objects.order_by("?").values_list("title", flat=True)[: args.queries])
    rank(titles[0])  # warm: model, index, SQLite caches
    for mode in ("lexical", "semantic", "hybrid"):
        times = []
        for title in titles:
            began = time.perf_counter()
            rank(title, mode)
            times.append((time.perf_counter() - began) * 1000)
        times.sort()
        p50, p99 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"{mode:>8}: p50 {p50:.1f} ms, p99 {p99:.1f} ms over {len(times)} queries (query embedding included)")
    print(f"peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
