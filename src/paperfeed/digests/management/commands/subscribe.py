from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from paperfeed.core import preflight
from paperfeed.digests import subscriptions


class Command(BaseCommand):
    help = (
        "Subscribe an e-mail address to digests, e.g. when importing an existing list. Without "
        "--confirmed a confirmation mail is sent first (double opt-in). Exit codes: 0 done, 2 bad address."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--weekly", action="store_true", help="weekly instead of daily")
        parser.add_argument(
            "--confirmed", action="store_true", help="the address already opted in elsewhere: no confirmation mail"
        )

    def handle(self, *args, email: str, weekly: bool, confirmed: bool, **options):
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"not an e-mail address: {email!r}", returncode=2) from None
        preflight.migrate()
        outcome = subscriptions.subscribe(email, "weekly" if weekly else "daily", confirmed=confirmed)
        self.stdout.write(f"{email}: {outcome}")
