"""Write a synthetic arXiv metadata snapshot (JSON lines) of N papers, for ingest benchmarks.

Every record is a real record of the bundled sample with a new, unique new-style id and its
title and abstract words shuffled deterministically, so sizes, field shapes, author lists and
version histories are those of real arXiv metadata while no two papers are identical.

    .venv/bin/python bench/make_snapshot.py 200000 /tmp/snapshot-200k.jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "paperfeed" / "sample" / "arxiv-snapshot.jsonl.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path, help="ends in .gz to compress")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with gzip.open(SAMPLE, "rt") as f:
        templates = [json.loads(line) for line in f]
    rng = random.Random(args.seed)
    opener = gzip.open if args.out.suffix == ".gz" else open
    with opener(args.out, "wt") as out:
        for n in range(args.count):
            record = dict(rng.choice(templates))
            # Ids 3001.00000 onwards: valid new-style ids no real paper has yet.
            month = 1 + (n // 99_999) % 12
            year = 30 + n // (99_999 * 12)
            record["id"] = f"{year:02d}{month:02d}.{n % 99_999 + 1:05d}"
            for key in ("title", "abstract"):
                words = (record.get(key) or "").split()
                rng.shuffle(words)
                record[key] = " ".join(words)
            out.write(json.dumps(record) + "\n")
    print(f"wrote {args.count:,} records to {args.out}")


if __name__ == "__main__":
    main()
