"""Embedding throughput of `paperfeed index`'s model on real abstracts (papers/s).

Embeds the first N papers of the bundled sample (real arXiv titles and abstracts) with the
configured model, once per max-token setting, after one warm-up batch.

    .venv/bin/python bench/embedding_throughput.py --papers 512
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
    args = parser.parse_args()
    print(describe())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    os.environ.setdefault("PAPERFEED_DATA_DIR", "/tmp/paperfeed-bench-embed")
    import django

    django.setup()
    import torch
    from django.conf import settings

    from paperfeed.search.embedder import Embedder, paper_text

    with gzip.open(SAMPLE, "rt") as f:
        papers = [json.loads(line) for _, line in zip(range(args.papers), f)]
    texts = [paper_text(" ".join(p["title"].split()), " ".join(p["abstract"].split())) for p in papers]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; {len(texts)} abstracts")
    for tokens in args.max_tokens:
        settings.PAPERFEED_EMBEDDING_MAX_TOKENS = tokens
        embedder = Embedder()
        embedder.encode(texts[:32])
        started = time.perf_counter()
        embedder.encode(texts)
        seconds = time.perf_counter() - started
        print(f"max {tokens} tokens: {len(texts) / seconds:.1f} papers/s")


if __name__ == "__main__":
    main()
