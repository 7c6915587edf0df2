"""docs/cli.md, generated from the parsers of paperfeed's commands.

The reference is the commands' own `--help`, so it cannot say what the code does not do;
tests/test_cli_reference.py fails when the file differs from what this module renders (a new
command, option or help text), and `python -m paperfeed.cli_reference` writes it again.

Django's options that every command carries (--settings, --traceback, …) are left out: they
are the same everywhere and are not how paperfeed is configured (docs/configuration.md is).
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from pathlib import Path

# Fixed, so the file does not depend on the terminal it was generated in.
COLUMNS = "100"
DJANGO_OPTIONS = {
    "--version", "--verbosity", "--settings", "--pythonpath", "--traceback",
    "--no-color", "--force-color", "--skip-checks",
}  # fmt: skip
HEADER = """# Command reference

Generated from the commands' parsers by `python -m paperfeed.cli_reference` (a test fails when
it is out of date); `paperfeed COMMAND --help` prints the same. What the commands are for, and
how they fit together, is in operations.md. Every command also takes Django's common options
(`--settings`, `--traceback`, `-v`, …), left out here. Exit codes: 0 success, 1 a failure the
command describes, 2 a configuration error (one line saying what to fix), a database that
`paperfeed init` has not made or upgraded yet, or bad arguments, unless a command says otherwise.

`paperfeed shell` and `paperfeed dbshell` are Django's, kept at the top level for operators;
Django's other commands (`migrate`, `createsuperuser`, …) are under `paperfeed django COMMAND`
(`paperfeed django help` lists them) and are not described here.
"""


@contextmanager
def _columns():
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = COLUMNS
    try:
        yield
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous


def paperfeed_commands() -> dict[str, str]:
    """Typed name → module name of every command that paperfeed's own apps define."""
    from django.core.management import get_commands

    from paperfeed.cli import COMMAND_ALIASES

    typed = {module: name for name, module in COMMAND_ALIASES.items()}
    own = {name: app for name, app in get_commands().items() if app.startswith("paperfeed")}
    return {typed.get(name, name): name for name in sorted(own, key=lambda n: typed.get(n, n))}


def _without_django_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser._actions = [a for a in parser._actions if not DJANGO_OPTIONS & set(a.option_strings)]
    for group in parser._action_groups:
        group._group_actions = [a for a in group._group_actions if not DJANGO_OPTIONS & set(a.option_strings)]
    return parser


def _sections(title: str, parser: argparse.ArgumentParser) -> list[str]:
    text = parser.format_help().rstrip()
    parts = [f"## `{title}`\n", "```text", text, "```", ""]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                parts += _sections(f"{title} {name}", _without_django_options(sub))
    return parts


def render() -> str:
    from django.core.management import get_commands, load_command_class

    from paperfeed.cli import main_help

    modules = get_commands()
    lines = [HEADER, "## `paperfeed`\n", "```text", main_help(), "```", ""]
    with _columns():
        for typed, module in paperfeed_commands().items():
            command = load_command_class(modules[module], module)
            parser = _without_django_options(command.create_parser("paperfeed", typed))
            lines += _sections(f"paperfeed {typed}", parser)
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/cli.md")
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
