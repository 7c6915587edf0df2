from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from paperfeed.core import preflight
from paperfeed.core.progress import progress_reporter
from paperfeed.personal.recommend import recommend


class Command(BaseCommand):
    help = (
        "Train every reader's ranking model (upvotes and collections are positives, 'not interested' "
        "negatives, over the paper embeddings) and store their picks for the For you page, the "
        "personal feed and digests. Run it after `paperfeed index`, e.g. daily. "
        "Exit codes: 0 done, 2 unknown user."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", help="only this username")
        parser.add_argument("--seed", type=int, default=0, help="random seed for the implicit negatives")

    def handle(self, *args, user: str | None = None, seed: int = 0, **options):
        preflight.migrate()
        users = None
        if user:
            users = list(get_user_model().objects.filter(username=user))
            if not users:
                raise CommandError(f"no user {user!r}", returncode=2)
        with progress_reporter() as report:
            summary = recommend(users, seed=seed, progress=report)
        self.stdout.write(
            f"{summary.users} reader(s): {summary.trained} by their own model, {summary.cold_start} from "
            f"chosen categories/authors; {summary.picks} picks stored"
        )
