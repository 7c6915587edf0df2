"""Reading impact lists back from the database: Django's cursor against the binary one search uses.

    .venv/bin/python bench/impact_reads.py --reuse /tmp/pf-scale-100k-pg --lists 40 --rounds 3

On a run kept by bench/scale.py (`--keep DIR`; its PostgreSQL cluster is started and stopped
here as there), the current build's `--lists` longest lists are read in one query, `--rounds`
times each way, and turned into search.impact.ImpactList as the store does:
- "text": Django's cursor — on PostgreSQL its results come as text, a bytea as hexadecimal;
- "binary": the engine's lists_cursor, which search.impact reads through (on PostgreSQL a psycopg
  cursor asking for binary results; on SQLite the same Django cursor as "text").
Prints ms per round and per MB of lists (the lists' stored bytes), and the load average.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
from machine import describe  # noqa: E402
from scale import database_server, load_average, read_state, settle_arguments, setup_django  # noqa: E402

QUERY = "SELECT term, scale, best_impact, ids, impacts FROM search_term_impact WHERE generation = %s AND term IN ({})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", type=Path, required=True, help="a run kept by bench/scale.py --keep")
    parser.add_argument("--lists", type=int, default=40, help="how many of the longest lists (default 40)")
    parser.add_argument("--rounds", type=int, default=3, help="reads each way (default 3)")
    args = parser.parse_args()
    root = args.reuse.resolve()
    if not (root / "state.json").exists():
        raise SystemExit(f"--reuse {root}: no state.json there (make one with bench/scale.py --keep)")
    state = read_state(root)
    scale_args = argparse.Namespace(database=None, database_url=None, papers=None, reuse=root, keep=None)
    settle_arguments(scale_args, state)
    print(describe())
    print(f"at the start: {load_average()}")
    with database_server(scale_args, root, keep=True) as url:
        setup_django(root / "data", url)
        from django.db import connection

        from paperfeed.search.engines import engine
        from paperfeed.search.impact import ImpactList, ImpactStore

        store = ImpactStore(cache_bytes=1)  # reads only: nothing kept, nothing read ahead
        generation = store.current()
        if generation is None:
            raise SystemExit("no impact lists in that run: run `paperfeed index --no-embed` first")
        terms = sorted(generation.frequencies, key=lambda term: -generation.frequencies[term])[: args.lists]
        megabytes = sum(generation.frequencies[term] for term in terms) * 6 / 2**20
        sql = QUERY.format(", ".join(["%s"] * len(terms)))
        ways = {"text": connection.cursor, "binary": engine().lexical.lists_cursor}
        print(f"{scale_args.database}, {state['papers']:,} papers: the {len(terms)} longest lists, {megabytes:,.1f} MB")
        for round_number in range(1, args.rounds + 1):
            for way, cursor_of in ways.items():
                began = time.perf_counter()
                with cursor_of() as cursor:
                    cursor.execute(sql, [generation.number, *terms])
                    read = [ImpactList.from_row(s, b, bytes(i), bytes(m)) for _, s, b, i, m in cursor]
                ms = (time.perf_counter() - began) * 1000
                assert len(read) == len(terms)
                print(f"  round {round_number} {way:>6}: {ms:,.1f} ms, {ms / megabytes:,.1f} ms per MB")
        connection.close()
    print(f"at the end: {load_average()}")


if __name__ == "__main__":
    main()
