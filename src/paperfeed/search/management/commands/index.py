from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from paperfeed.core import preflight
from paperfeed.core.page_cache import pages_changed
from paperfeed.core.progress import progress_reporter
from paperfeed.search.embedder import Embedder
from paperfeed.search.engines import engine
from paperfeed.search.engines.base import FIELD_WEIGHTS, VectorStoreUnavailable
from paperfeed.search.impact_build import build_impact_lists
from paperfeed.search.indexer import embed_papers


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
        search = engine()
        if rebuild:
            search.lexical.rebuild()
            self.stdout.write("keyword index rebuilt")
        size = search.lexical.size()
        if size is not None:
            self.stdout.write(f"keyword index: {size:,} papers")
        if no_embed:
            self._impact_lists(search.impact_threshold, force=rebuild)
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
                count = search.vectors.write(embedder.name, progress=report)
        except VectorStoreUnavailable as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(f"vector index ({embedder.name}, {search.vectors.name}): {count:,} papers")
        pages_changed()  # paper pages list similar papers
        self._impact_lists(search.impact_threshold, force=rebuild)

    def _impact_lists(self, threshold: int, force: bool) -> None:
        with progress_reporter() as report:
            built = build_impact_lists(
                threshold,
                settings.PAPERFEED_IMPACT_LIST_LENGTH,
                FIELD_WEIGHTS,
                progress=report,
                force=force,
            )
        self.stdout.write(built.line())
