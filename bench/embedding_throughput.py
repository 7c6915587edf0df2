"""Embedding throughput of `paperfeed index`'s model on real abstracts (papers/s).

Embeds the first N papers of the bundled sample (real arXiv titles and abstracts) with the
configured model, once per runtime and max-token setting, after one warm-up batch, and
times one short query (a title) the way search embeds it. Repeats each measurement and
prints the median (other processes on a shared machine make single runs noisy).

    .venv/bin/python bench/embedding_throughput.py --papers 512 --repeat 3
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from machine import describe  # noqa: E402

SAMPLE = HERE.parent / "src" / "paperfeed" / "sample" / "arxiv-snapshot.jsonl.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=512)
    parser.add_argument("--max-tokens", type=int, nargs="+", default=[256, 128])
    parser.add_argument("--runtimes", nargs="+", default=["onnx-int8", "torch"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(describe())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    os.environ.setdefault("PAPERFEED_DATA_DIR", "/tmp/paperfeed-bench-embed")
    import django

    django.setup()
    import statistics

    from django.conf import settings

    from paperfeed.search.embedder import Embedder, paper_text

    with gzip.open(SAMPLE, "rt") as f:
        papers = [json.loads(line) for _, line in zip(range(args.papers), f)]
    texts = [paper_text(" ".join(p["title"].split()), " ".join(p["abstract"].split())) for p in papers]
    print(f"{len(texts)} abstracts, {os.cpu_count()} threads")
    for runtime in args.runtimes:
        for tokens in args.max_tokens:
            settings.PAPERFEED_EMBEDDING_MAX_TOKENS = tokens
            embedder = Embedder(runtime=runtime)
            embedder.encode(texts[:32])
            rates = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                embedder.encode(texts)
                rates.append(len(texts) / (time.perf_counter() - started))
            query_ms = []
            for text in texts[:100]:
                title = text.split(". ", 1)[0]
                started = time.perf_counter()
                embedder.encode([title])
                query_ms.append((time.perf_counter() - started) * 1000)
            print(f"{embedder.runtime_used:>9}, max {tokens} tokens: {statistics.median(rates):.1f} papers/s "
                  f"(runs: {', '.join(f'{r:.1f}' for r in rates)}); one title: p50 {statistics.median(query_ms):.1f} ms")


if __name__ == "__main__":
    main()
