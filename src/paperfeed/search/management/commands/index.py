from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from paperfeed.ops import preflight
from paperfeed.ops.progress import progress_reporter
from paperfeed.search.backends import FIELD_WEIGHTS, lexical_backend
from paperfeed.search.embedder import Embedder
from paperfeed.search.impact_build import build_impact_lists
from paperfeed.search.indexer import embed_papers, write_vector_index
from paperfeed.search.vectors import uses_pgvector
from paperfeed.search.vectors_postgres import PgVectorUnavailable


class Command(BaseCommand):
    help = (
        "Build the search indexes: embed new or changed papers (incremental and resumable: "
        "run it again after an interruption), then write the vector index, then the impact "
        "lists of common words the keyword leg of search reads. The keyword index "
        "follows every write by itself; --rebuild recreates it from the papers table."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="rebuild the keyword index from scratch")
        parser.add_argument("--no-embed", action="store_true", help="skip embeddings (keyword index only)")
        parser.add_argument("--batch", type=int, default=256, help="papers embedded per commit (default %(default)s)")

    def handle(self, *args, rebuild: bool = False, no_embed: bool = False, batch: int = 256, **options):
        preflight.migrate()
        if rebuild:
            lexical_backend().rebuild()
            self.stdout.write("keyword index rebuilt")
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM paper_fts")
                self.stdout.write(f"keyword index: {cursor.fetchone()[0]:,} papers")
        if no_embed:
            self._impact_lists(force=rebuild)
            return
        embedder = Embedder(settings.PAPERFEED_EMBEDDING_MODEL)
        with progress_reporter() as report:
            summary = embed_papers(embedder, batch=max(1, batch), progress=report)
        rate = summary.embedded / summary.seconds_embedding if summary.seconds_embedding else 0
        self.stdout.write(
            f"embedded {summary.embedded:,} new or changed papers"
            + (f" ({rate:,.1f} papers/s)" if summary.embedded else "")
        )
        try:
            with progress_reporter() as report:
                count = write_vector_index(embedder.name, progress=report)
        except PgVectorUnavailable as exc:
            raise CommandError(str(exc), returncode=1) from exc
        where = "pgvector" if uses_pgvector() else "file"
        self.stdout.write(f"vector index ({embedder.name}, {where}): {count:,} papers")
        self._impact_lists(force=rebuild)

    def _impact_lists(self, force: bool) -> None:
        with progress_reporter() as report:
            built = build_impact_lists(
                settings.PAPERFEED_IMPACT_THRESHOLD,
                settings.PAPERFEED_IMPACT_LIST_LENGTH,
                FIELD_WEIGHTS,
                progress=report,
                force=force,
            )
        self.stdout.write(built.line())
