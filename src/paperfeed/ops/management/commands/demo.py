import os

from django.conf import settings
from django.core.management.base import BaseCommand

from paperfeed.core import preflight, static_storage
from paperfeed.core.progress import progress_reporter
from paperfeed.ops.management.commands.serve import add_server_arguments
from paperfeed.ops.server import check_companions, serve
from paperfeed.papers.models import Paper
from paperfeed.search.embedder import check_model_files


class Command(BaseCommand):
    help = (
        "Load the bundled sample papers into the data directory (only if it holds no papers), "
        "build the indexes and serve the site on http://127.0.0.1:8000."
    )

    requires_system_checks = []

    def add_arguments(self, parser):
        add_server_arguments(parser)
        parser.add_argument("--no-serve", action="store_true", help="load and index, then exit")

    def handle(self, *args, host, port, workers, threads, no_serve=False, **options):
        from paperfeed.sample import load_sample, load_sample_vectors
        from paperfeed.search.indexer import write_vector_index

        if not no_serve:
            check_companions()  # a bad schedule: exit 2 before a minute of loading, not after
            check_model_files()  # a damaged model file: exit 2 now, not a 500 at the first search
        preflight.ensure_data_dir()
        preflight.migrate()
        if not no_serve:
            preflight.ensure_port_free(host, port)  # fail before a minute of loading, not after
        self.stdout.write(str(static_storage.collect()))
        if Paper.objects.exists():
            self.stdout.write("the database already holds papers; not loading the sample again")
        else:
            with progress_reporter() as report:
                summary = load_sample(progress=report)
            self.stdout.write(f"loaded the sample: {summary}")
            vectors = load_sample_vectors()
            count = write_vector_index(settings.PAPERFEED_EMBEDDING_MODEL)
            self.stdout.write(
                f"search index: {vectors:,} shipped embeddings, {count:,} papers in the vector index"
                + ("" if count else " (run `paperfeed index` for semantic search)")
            )
            # The sample's papers are months or years old: score every one of them (relative to
            # now), else /papers/trending would be empty until `paperfeed trending --all`.
            from paperfeed.feeds.trending import recompute

            self.stdout.write(f"trending: {recompute(days=None):,} papers scored")
        if no_serve:
            return
        _lift_submission_age_limit(self.stdout)
        _keep_sample_trending(self.stdout)
        self.stdout.write(f"paperfeed demo on http://{host}:{port}/papers  (Ctrl-C stops)")
        serve(host, port, workers, threads)


def _lift_submission_age_limit(stdout) -> None:
    """The sample's papers are months or years old, so Hugging Face's 14-day rule would refuse
    every submission in the demo: unless PAPERFEED_SUBMIT_MAX_AGE_DAYS is set, the demo's
    server accepts papers of any age (the other rules hold). The papers on no list yet are
    those of the sample's arXiv API answers; the submit page suggests some."""
    if "PAPERFEED_SUBMIT_MAX_AGE_DAYS" in os.environ:
        return
    settings.PAPERFEED_SUBMIT_MAX_AGE_DAYS = 0  # read at request time by the submission rules
    stdout.write("submissions: papers of any age accepted in the demo (PAPERFEED_SUBMIT_MAX_AGE_DAYS=0)")


def _keep_sample_trending(stdout) -> None:
    """The demo scored every sample paper once (they are old); the built-in schedule's hourly
    `trending` scores only the last 30 days and would empty /papers/trending within the hour.
    Unless PAPERFEED_JOB_TRENDING is set, the demo's schedule leaves trending alone."""
    if "PAPERFEED_JOB_TRENDING" in os.environ:
        return
    settings.PAPERFEED_JOB_SCHEDULES = {**settings.PAPERFEED_JOB_SCHEDULES, "TRENDING": "off"}
    stdout.write("jobs: the sample's trending scores are kept (PAPERFEED_JOB_TRENDING=off)")
