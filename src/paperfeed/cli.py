"""The ``paperfeed`` command: paperfeed's own commands, and Django's behind ``paperfeed django``.

Every sub-command is a management command in the app of its stage (``sources`` has
``ingest``, ``search`` has ``index``, ``ops`` has ``demo``/``serve``/``init``/``status``),
so ``paperfeed <command> --help`` and exit codes come from one place. This module decides
what the command line shows: paperfeed's commands grouped by what they do (``COMMAND_GROUPS``),
paperfeed's version, and one readable line, exit 2, for a configuration error or a database
that is not ready — never a traceback. ``paperfeed``, ``--help`` and ``--version`` read no
settings at all, so they work (and write nothing) whatever the environment holds.
"""

from __future__ import annotations

import difflib
import os
import sys
from pathlib import Path

from paperfeed.core.file_modes import restrict_umask

# A management command is a Python module, and a module name cannot hold a hyphen: the names
# people type map to the modules here.
COMMAND_ALIASES = {"migrate-data": "migrate_data"}

# What `paperfeed --help` lists: every command of paperfeed's apps, by what it is for, with
# one line each (the commands' own help is the paragraph `paperfeed COMMAND --help` prints).
# tests/test_cli_help.py fails when a command of an app is in no group.
COMMAND_GROUPS: dict[str, dict[str, str]] = {
    "Set up and run": {
        "init": "create the data directory and the database; upgrade the schema after an update",
        "serve": "serve the site with gunicorn",
        "demo": "load the bundled sample papers and serve them: a site to try in one command",
        "status": "what the database holds, the last ingest, quarantined input",
        "jobs": "the built-in schedule: each job's last and next run; `jobs run NAME` runs one now",
    },
    "Ingest and index": {
        "ingest": "bring papers in from arXiv (RSS, API, OAI-PMH, snapshot) or Hugging Face",
        "submit": "put one paper on a day's list",
        "index": "embed new papers, write the vector index and the keyword impact lists",
        "thumbnails": "render the first page of listed papers' PDFs for the cards",
        "trending": "recompute the trending scores (hourly)",
        "recommend": "refresh every reader's For you picks (daily)",
    },
    "Search": {
        "search": "search the local database as the site does",
        "show": "one paper of the local database, as text or as the API's JSON",
        "eval": "measure search quality on a BEIR dataset",
    },
    "Mail": {
        "digest": "send the daily and weekly digests, settle held deliveries, record bounces",
        "subscribe": "subscribe an e-mail address to digests",
    },
    "Accounts": {
        "user": "add, suspend or reactivate an account (--superuser for the admin site)",
        "token": "create, list or revoke API tokens",
    },
    "Data": {
        "export": "papers and daily lists, or one account's data, as JSON",
        "import": "load a `paperfeed export` file",
        "backup": "archive the database and the secret key",
        "restore": "restore an archive of `paperfeed backup`",
        "migrate-data": "copy everything into another, empty database (SQLite to PostgreSQL)",
    },
    "Inspect": {
        "shell": "a Python shell with the site loaded (`-c CODE` runs CODE)",
        "dbshell": "the database's own client (sqlite3 or psql)",
    },
}
# Django's commands that stay at the top level: an operator's ways into the site's data,
# used in docs/operations.md and by scripts. Every other Django command is under `paperfeed django`.
DJANGO_COMMANDS_AT_TOP = {"shell", "dbshell"}

# Libraries' own progress bars (the embedding model's "Loading weights", hub downloads)
# report their internals, not the command's work — that has its bars (core/progress.py) —
# and would land in the middle of JSON on a terminal and in every log. Set before any such
# library is imported, since they read these once; an operator may still set them otherwise.
QUIET_LIBRARIES = {
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TQDM_DISABLE": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
}

CONFIGURATION_ERROR = 2  # docs/cli.md: exit 2 for a configuration error or bad arguments


def version() -> str:
    from paperfeed import __version__

    return __version__


def own_commands() -> list[str]:
    """Every command paperfeed's apps define, as typed, found without loading any settings."""
    from django.core.management import find_commands

    typed = {module: name for name, module in COMMAND_ALIASES.items()}
    package = Path(__file__).resolve().parent
    apps = [*package.glob("*/management"), *package.glob("*/*/management")]  # community/<app>/ too
    names = {typed.get(name, name) for management in apps for name in find_commands(str(management))}
    return sorted(names)


def main_help() -> str:
    own = set(own_commands())
    grouped = {group: {n: line for n, line in lines.items() if n in own or n in DJANGO_COMMANDS_AT_TOP}
               for group, lines in COMMAND_GROUPS.items()}
    placed = {name for lines in grouped.values() for name in lines}
    if others := sorted(own - placed):
        grouped["Other"] = {name: "" for name in others}
    width = max(len(name) for lines in grouped.values() for name in lines) + 2
    text = [
        "usage: paperfeed COMMAND [OPTIONS]",
        "",
        "paperfeed: a self-hostable Daily Papers service. `paperfeed COMMAND --help` shows a command's",
        "options, `paperfeed --version` the version; settings come from the environment",
        "(docs/configuration.md).",
    ]
    for group, lines in grouped.items():
        if lines:
            text += ["", f"{group}:"]
            text += [f"  {name:<{width}}{line}".rstrip() for name, line in lines.items()]
    text += [
        "",
        "Django's own commands (migrate, createsuperuser, …) are under `paperfeed django COMMAND`;",
        "`paperfeed django help` lists them.",
    ]
    return "\n".join(text)


def fail(message: str, code: int) -> None:
    """One line on standard error, then exit: whatever the cause, no traceback."""
    print(f"paperfeed: {' '.join(message.split())}", file=sys.stderr)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    # Before anything is written (the secret key, the database): files for this user only.
    restrict_umask()
    for name, value in QUIET_LIBRARIES.items():
        os.environ.setdefault(name, value)
    words = list(sys.argv if argv is None else argv)[1:]
    if not words or words[0] in ("-h", "--help") or words == ["help"]:
        print(main_help())
        return
    if words[0] == "--version":
        print(f"paperfeed {version()}")
        return
    if words[0] == "help":  # `paperfeed help ingest` is `paperfeed ingest --help`
        words = [words[1], "--help", *words[2:]]
    if words[0] == "django":
        run_django("paperfeed django", words[1:])
    elif words[0] in own_commands() or words[0] in DJANGO_COMMANDS_AT_TOP:
        run_django("paperfeed", words)
    else:
        unknown_command(words[0])


def unknown_command(name: str) -> None:
    close = difflib.get_close_matches(name, own_commands(), n=1)
    hint = f"did you mean `paperfeed {close[0]}`? " if close else ""
    what = "option" if name.startswith("-") else "command"
    fail(
        f"unknown {what} {name!r}; {hint}`paperfeed --help` lists the commands, and Django's own "
        f"are under `paperfeed django COMMAND`",
        CONFIGURATION_ERROR,
    )


def warn_of_unknown_variables() -> None:
    """A PAPERFEED_ variable no setting reads (a misspelt name, say) would otherwise be
    ignored without a word: one warning line each, and the command runs on."""
    from django.conf import settings

    from paperfeed import config

    settings.INSTALLED_APPS  # noqa: B018 — reads the settings, and with them the variables they name
    for line in config.unknown_variables():
        print(f"paperfeed: warning: {line}", file=sys.stderr)


def run_django(prog: str, words: list[str]) -> None:
    """Django's command runner, under `prog`, with its errors made one line each."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import ManagementUtility
    from django.db import DatabaseError

    position = 1 if words[:1] == ["help"] else 0  # `paperfeed django help migrate-data` too
    if len(words) > position:
        words[position] = COMMAND_ALIASES.get(words[position], words[position])

    class Utility(ManagementUtility):
        def main_help_text(self, commands_only: bool = False) -> str:
            """Django's command list names each command as it is typed (migrate-data)."""
            import re

            text = super().main_help_text(commands_only)
            for typed, module in COMMAND_ALIASES.items():
                text = re.sub(rf"^(\s*){re.escape(module)}$", rf"\g<1>{typed}", text, flags=re.MULTILINE)
            return text

    try:
        warn_of_unknown_variables()
        Utility([prog, *words]).execute()
    except ImproperlyConfigured as exc:
        if "--traceback" in words:
            raise
        # Configuration mistakes are the user's to fix: say what, without a traceback.
        fail(f"configuration error: {exc}", CONFIGURATION_ERROR)
    except DatabaseError as exc:
        if "--traceback" in words:
            raise
        from paperfeed.core import preflight

        # Most often a database `paperfeed init` has not made (or upgraded) yet: say so.
        problem = preflight.explain_database_error(exc)
        fail(str(problem), problem.returncode)


if __name__ == "__main__":
    main()
