"""`paperfeed eval beir DIR`: score search on a BEIR-format dataset, end to end.

The corpus goes through the normal path — records built by normalisation, stored by the
store, indexed by FTS5 and by `paperfeed index` — in a throwaway data directory, so the
figures are those of the real system, not of a side implementation. With --database-url
the throwaway database is an empty PostgreSQL database the caller provides (and drops
afterwards), to measure search on PostgreSQL.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

INNER = "PAPERFEED_EVAL_THROWAWAY"  # set in the child that owns the throwaway database


def synthetic_arxiv_id(n: int) -> str:
    """Corpus documents need arXiv-shaped keys: 9901.00001, 9901.00002, … (no real paper
    has a 99xx id in the new scheme, and 99,999 × 12 months hold 1.2 M documents)."""
    month, number = divmod(n, 99_999)
    return f"99{month % 12 + 1:02d}.{number + 1:05d}"


class Command(BaseCommand):
    help = (
        "Evaluate search on a BEIR dataset (corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv): load it "
        "into a throwaway database through the normal ingest and index path, search every query of "
        "the split, write a TREC run file and print nDCG@10, Recall@100 and MRR@10."
    )

    def add_arguments(self, parser):
        parser.add_argument("benchmark", choices=["beir"])
        parser.add_argument("directory", type=Path)
        parser.add_argument("--mode", choices=["lexical", "semantic", "hybrid"], default="hybrid")
        parser.add_argument("--split", default="test", help="qrels/<split>.tsv (default %(default)s)")
        parser.add_argument("--run-file", type=Path, help="write the TREC run here (top 100 per query)")
        parser.add_argument("--limit-queries", type=int, help="only the first N judged queries")
        parser.add_argument(
            "--database-url",
            help="load into this empty PostgreSQL database instead of a throwaway SQLite one "
            "(postgresql://…; it is left filled: drop it afterwards)",
        )

    def handle(
        self, *args, benchmark, directory: Path, mode: str, split: str, run_file, limit_queries, database_url, **options
    ):
        qrels_path = directory / "qrels" / f"{split}.tsv"
        for path in (directory / "corpus.jsonl", directory / "queries.jsonl", qrels_path):
            if not path.is_file():
                raise CommandError(f"missing {path}", returncode=2)
        if database_url and not database_url.startswith(("postgresql://", "postgres://")):
            raise CommandError("--database-url must be a postgresql:// URL", returncode=2)
        if os.environ.get(INNER) != "1":
            self._run_in_throwaway_database(database_url)
            return
        from paperfeed.core import preflight
        from paperfeed.papers.models import Paper

        preflight.migrate()
        if Paper.objects.exists():
            raise CommandError("the evaluation database already holds papers: give an empty one", returncode=2)
        mapping = self._load_corpus(directory / "corpus.jsonl")
        if mode != "lexical":
            self._index()
        qrels = self._qrels(qrels_path)
        queries = self._queries(directory / "queries.jsonl", qrels, limit_queries)
        run, seconds = self._search(queries, mode, mapping)
        self._report(run, qrels, queries, mode, run_file, seconds)

    def _run_in_throwaway_database(self, database_url: str | None) -> None:
        with tempfile.TemporaryDirectory(prefix="paperfeed-eval-") as tmp:
            from django.conf import settings

            # The throwaway database is new each run; the exported model need not be.
            env = {**os.environ, INNER: "1", "PAPERFEED_DATA_DIR": tmp,
                   "PAPERFEED_MODEL_CACHE": str(settings.PAPERFEED_MODEL_CACHE)}
            env.pop("DATABASE_URL", None)
            if database_url:
                env["DATABASE_URL"] = database_url
            env.pop("DJANGO_SETTINGS_MODULE", None)
            argv = [sys.executable, "-m", "paperfeed", *sys.argv[1:]]
            done = subprocess.run(argv, env=env)
        if done.returncode:
            raise SystemExit(done.returncode)

    def _load_corpus(self, path: Path) -> dict[str, str]:
        from paperfeed.core.progress import progress_reporter
        from paperfeed.sources.formats import make_problem, record_or_problem
        from paperfeed.sources.pipeline import Sink

        mapping: dict[str, str] = {}  # synthetic arXiv id → BEIR doc id
        with progress_reporter() as report, path.open(encoding="utf-8") as lines:
            sink = Sink("beir", batch_size=2000, progress=report)
            for number, line in enumerate(lines):
                if not line.strip():
                    continue
                try:
                    doc = json.loads(line)
                    doc_id = str(doc["_id"])
                except (ValueError, KeyError, TypeError) as exc:
                    sink.add(make_problem(f"{path.name}:{number + 1}", f"unreadable corpus line: {exc}", line))
                    continue
                arxiv_id = synthetic_arxiv_id(len(mapping))
                mapping[arxiv_id] = doc_id
                sink.add(record_or_problem(f"{path.name}:{number + 1}", line, arxiv_id=arxiv_id,
                                           title=doc.get("title") or doc_id, abstract=doc.get("text") or ""))
            sink.flush()
        self.stderr.write(f"corpus: {sink.summary.line()}")
        return mapping

    def _index(self) -> None:
        from django.core.management import call_command

        call_command("index", stdout=self.stderr)

    def _qrels(self, path: Path) -> dict[str, dict[str, int]]:
        qrels: dict[str, dict[str, int]] = {}
        with path.open(encoding="utf-8") as f:
            for row in csv.reader(f, delimiter="\t"):
                if len(row) < 3 or row[0] == "query-id":
                    continue
                qrels.setdefault(row[0], {})[row[1]] = int(row[2])
        return qrels

    def _queries(self, path: Path, qrels: dict, limit: int | None) -> dict[str, str]:
        queries = {}
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    q = json.loads(line)
                    if str(q["_id"]) in qrels:
                        queries[str(q["_id"])] = q["text"]
        items = list(queries.items())[:limit] if limit else list(queries.items())
        return dict(items)

    def _search(self, queries: dict[str, str], mode: str, mapping: dict[str, str]):
        from paperfeed.papers.models import Paper
        from paperfeed.search.hybrid import rank

        doc_of = {pk: mapping[a] for pk, a in Paper.objects.values_list("id", "arxiv_id") if a in mapping}
        run: dict[str, list[tuple[str, float]]] = {}
        started = time.perf_counter()
        for qid, text in queries.items():
            ranking = rank(text, mode)
            run[qid] = [(doc_of[h.paper_id], h.score) for h in ranking.hits[:100] if h.paper_id in doc_of]
        return run, time.perf_counter() - started

    def _report(self, run, qrels, queries, mode, run_file, seconds) -> None:
        from paperfeed.search.evaluation import evaluate

        if run_file:
            with open(run_file, "w") as out:
                for qid, ranked in run.items():
                    for position, (doc, score) in enumerate(ranked, start=1):
                        out.write(f"{qid} Q0 {doc} {position} {score:.6f} paperfeed-{mode}\n")
        scores = evaluate({q: [d for d, _ in r] for q, r in run.items()}, {q: qrels[q] for q in queries})
        per_query = seconds / max(1, len(queries)) * 1000
        self.stdout.write(
            f"{mode}: nDCG@10 {scores['ndcg@10']:.4f}  Recall@100 {scores['recall@100']:.4f}  "
            f"MRR@10 {scores['mrr@10']:.4f}  ({scores['queries']} queries, {per_query:.1f} ms/query)"
        )
