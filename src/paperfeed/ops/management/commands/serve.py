from django.core.management.base import BaseCommand

from paperfeed.core import preflight, static_storage
from paperfeed.ops.server import check_companions, serve
from paperfeed.search.embedder import check_model_files


def add_server_arguments(parser, default_host: str = "127.0.0.1") -> None:
    parser.add_argument("--host", default=default_host, help="address to listen on (default %(default)s)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default %(default)s)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default %(default)s)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default %(default)s)")


class Command(BaseCommand):
    help = "Serve the site with gunicorn (a production-grade WSGI server). Applies pending migrations first."

    requires_system_checks = []

    def add_arguments(self, parser):
        add_server_arguments(parser)

    def handle(self, *args, host, port, workers, threads, **options):
        check_companions()  # e.g. the built-in schedule's cron expressions: exit 2 before starting
        check_model_files()  # a damaged model file: exit 2 now, not a 500 at the first search
        preflight.ensure_data_dir()
        preflight.migrate()
        self.stdout.write(str(static_storage.collect()))
        preflight.ensure_port_free(host, port)
        self.stdout.write(f"paperfeed serving on http://{host}:{port}/papers  (Ctrl-C stops)")
        serve(host, port, workers, threads)
