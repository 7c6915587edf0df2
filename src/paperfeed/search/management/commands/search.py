import json

from django.core.management.base import BaseCommand, CommandError

from paperfeed.papers.ids import parse_arxiv_reference
from paperfeed.papers.models import Paper
from paperfeed.search.hybrid import MODES, rank


class Command(BaseCommand):
    help = "Search the local database (hybrid by default). An arXiv id or URL shows that paper."

    def add_arguments(self, parser):
        parser.add_argument("query")
        parser.add_argument("--mode", choices=MODES, default="hybrid")
        parser.add_argument("--limit", type=int, default=10, help="results to show (default %(default)s, at most 100)")
        parser.add_argument("--json", action="store_true", help="print JSON lines: id, title, score, published")

    def handle(self, *args, query: str, mode: str, limit: int, json: bool = False, **options):
        if not 1 <= limit <= 100:
            raise CommandError("--limit must be between 1 and 100", returncode=2)
        reference = parse_arxiv_reference(query)
        if reference is not None:
            ids = list(Paper.objects.filter(arxiv_id=reference.id).values_list("id", flat=True))
            scores, used, note = {i: 1.0 for i in ids}, "id", ""
        else:
            ranking = rank(query, mode)
            hits = ranking.hits[:limit]
            ids, scores, used, note = [h.paper_id for h in hits], {h.paper_id: h.score for h in hits}, ranking.mode, ranking.note
        papers = Paper.objects.in_bulk(ids)
        if note:
            self.stderr.write(note)
        for position, pid in enumerate(ids, start=1):
            paper = papers[pid]
            if json:
                import json as json_module

                self.stdout.write(json_module.dumps({
                    "rank": position, "id": paper.arxiv_id, "title": paper.title, "score": round(scores[pid], 6),
                    "published": paper.published.isoformat() if paper.published else None, "mode": used,
                }, ensure_ascii=False))
            else:
                self.stdout.write(f"{position:>3}. {paper.arxiv_id:<18} {scores[pid]:.3f}  {paper.title}")
        if not ids and not json:
            self.stdout.write("no results")
