"""`paperfeed user add|suspend|activate`: manage accounts from the shell.

    paperfeed user add ada --email ada@example.org [--staff] [--superuser]
    echo 'a long passphrase' | paperfeed user add ada --email ada@example.org
    paperfeed user suspend ada
    paperfeed user activate ada
"""

from __future__ import annotations

import getpass
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

from paperfeed.community.accounts.forms import validate_new_user
from paperfeed.core import preflight


def bad_input(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = (
        "Add, suspend or reactivate a user account. Exit codes: 0 done, 2 bad input "
        "(existing user, invalid e-mail, weak password, unknown user)."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser(
            "add",
            help="create an account",
            description=(
                "Create an account. The password is read from the first line of standard input when "
                "that is not a terminal, else asked for twice. It must pass the site's password rules."
            ),
        )
        add.add_argument("username")
        add.add_argument("--email", required=True, help="the account's e-mail address (unique)")
        add.add_argument("--staff", action="store_true", help="may use the admin site (a moderator)")
        add.add_argument("--superuser", action="store_true", help="has every permission (implies --staff)")
        for name, what in (("suspend", "suspend an account (it cannot log in)"), ("activate", "reactivate an account")):
            sub = actions.add_parser(name, help=what, description=what[0].upper() + what[1:] + ".")
            sub.add_argument("username")

    def handle(self, *args, action: str, username: str, **options):
        preflight.migrate()
        if action == "add":
            self.add(username, options["email"], staff=options["staff"], superuser=options["superuser"])
        else:
            self.set_active(username, active=action == "activate")

    def add(self, username: str, email: str, staff: bool, superuser: bool) -> None:
        password = self.read_password()
        problems = validate_new_user(username, email, password)
        if problems:
            raise bad_input("cannot add the user:\n  " + "\n  ".join(problems))
        User = get_user_model()
        try:
            with transaction.atomic():
                User.objects.create_user(
                    username=username,
                    email=User.objects.normalize_email(email),
                    password=password,
                    is_staff=staff or superuser,
                    is_superuser=superuser,
                )
        except IntegrityError:
            raise bad_input(f"cannot add the user: {username!r} or {email!r} was just taken") from None
        kind = "superuser" if superuser else "staff user" if staff else "user"
        self.stdout.write(f"added {kind} {username} <{email}>")

    def read_password(self) -> str:
        if not sys.stdin.isatty():
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise bad_input("no password on standard input (the first line is the password)")
            return password
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise bad_input("the two passwords differ")
        if not first:
            raise bad_input("the password is empty")
        return first

    def set_active(self, username: str, active: bool) -> None:
        User = get_user_model()
        updated = User.objects.filter(username=username).update(is_active=active)
        if not updated:
            raise bad_input(f"no user named {username!r}")
        self.stdout.write(f"{'activated' if active else 'suspended'} {username}")
