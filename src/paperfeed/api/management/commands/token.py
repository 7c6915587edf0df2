"""`paperfeed token create|list|revoke`: API tokens for scripts and operators.

    paperfeed token create ada --name nightly-export     # prints the secret, once
    paperfeed token list [ada]
    paperfeed token revoke 12

The rules are the account settings page's (api/token_service.py): a name, at most 50 active
tokens an account. The secret is printed alone on standard output so a script can capture it
(`TOKEN=$(paperfeed token create ada --name ci)`); what it is goes to standard error.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from paperfeed.api.models import ApiToken
from paperfeed.api.token_service import MAX_NAME_LENGTH, TokenRefused, issue
from paperfeed.core import preflight


def bad_input(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


class Command(BaseCommand):
    help = (
        "Create, list or revoke a user's API tokens (`Authorization: Bearer pf_…`), as the account "
        "settings page does. Exit codes: 0 done, 1 refused (too many active tokens), 2 bad input "
        "(unknown user or token id, empty name)."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser(
            "create",
            help="make a token and print its secret once",
            description=(
                "Make a token for USER and print its secret on standard output, once: only its hash is "
                "kept. Tokens have no scopes: a token may do what its account may do through the API."
            ),
        )
        create.add_argument("username", metavar="USER")
        create.add_argument("--name", required=True, help="what the token is for, e.g. the script or machine")
        listing = actions.add_parser(
            "list",
            help="list tokens (never their secrets)",
            description="List the tokens of USER, or of every account: id, account, name, prefix, dates, state.",
        )
        listing.add_argument("username", metavar="USER", nargs="?")
        revoke = actions.add_parser(
            "revoke",
            help="revoke a token by its id",
            description="Revoke the token with this id (from `paperfeed token list`); it stops working at once.",
        )
        revoke.add_argument("token_id", metavar="ID", type=int)

    def handle(self, *args, action: str, **options):
        preflight.migrate()
        if action == "create":
            self.create(options["username"], options["name"])
        elif action == "list":
            self.list(options["username"])
        else:
            self.revoke(options["token_id"])

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise bad_input(f"no user named {username!r}")
        return user

    def create(self, username: str, name: str) -> None:
        user = self._user(username)
        if not name.strip() or len(name.strip()) > MAX_NAME_LENGTH:
            raise bad_input(f"--name must be 1 to {MAX_NAME_LENGTH} characters")
        try:
            token, secret = issue(user, name)
        except TokenRefused as refusal:  # the name is checked above: what is left is the limit
            raise CommandError(str(refusal), returncode=1) from None
        self.stderr.write(f"token {token.pk} “{token.name}” for {username}; it is shown only now:")
        self.stdout.write(secret)

    def list(self, username: str | None) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "created_at", "id")
        if username is not None:
            tokens = tokens.filter(user=self._user(username))
        self.stdout.write("id\tuser\tname\tprefix\tcreated\tlast used\tstate")
        for token in tokens:
            state = "active" if token.active else f"revoked {_when(token.revoked_at)}"
            self.stdout.write(
                f"{token.pk}\t{token.user.get_username()}\t{token.name}\t{token.prefix}…\t"
                f"{_when(token.created_at)}\t{_when(token.last_used_at)}\t{state}"
            )

    def revoke(self, token_id: int) -> None:
        token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
        if token is None:
            raise bad_input(f"no token with id {token_id}")
        if not token.active:
            # Revoking is idempotent: a script that runs twice succeeds twice.
            self.stdout.write(f"token {token_id} ({token.prefix}…) was already revoked")
            return
        token.revoke()
        self.stdout.write(f"revoked token {token_id} “{token.name}” ({token.prefix}…) of {token.user.get_username()}")
