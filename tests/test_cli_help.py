"""What the `paperfeed` command line shows: its own commands, its version, one-line errors.

In-process (cli.main with captured output) wherever the answer does not depend on a new
process; real processes only where the point is the process: what it writes, its exit code
and its standard error before Django has read any settings.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib

import pytest
from django.core.exceptions import ImproperlyConfigured

import paperfeed
from paperfeed import cli
from paperfeed.cli_reference import paperfeed_commands
from paperfeed.config import database_settings, env_choice

from .conftest import REPO_ROOT
from .helpers import PAPERFEED, cli_env, run_main

DJANGO_ONLY = ["startapp", "startproject", "flush", "runserver", "squashmigrations", "makemigrations", "migrate",
               "createsuperuser", "loaddata", "dumpdata", "sqlflush", "testserver"]  # fmt: skip


def listed_commands(help_text: str) -> set[str]:
    return set(re.findall(r"^  ([a-z][a-z-]*) ", help_text, re.MULTILINE))


def test_version_is_paperfeeds(capsys):
    code, out, _ = run_main(capsys, "--version")
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert code == 0 and out == f"paperfeed {paperfeed.__version__}\n"
    assert paperfeed.__version__ == pyproject["project"]["version"]


@pytest.mark.parametrize("words", [(), ("--help",), ("-h",), ("help",)])
def test_main_help_lists_paperfeeds_commands_in_groups(capsys, words):
    code, out, _ = run_main(capsys, *words)
    assert code == 0
    listed = listed_commands(out)
    assert set(paperfeed_commands()) <= listed  # every command of paperfeed's apps, as typed
    assert listed - set(paperfeed_commands()) == cli.DJANGO_COMMANDS_AT_TOP
    assert not listed & set(DJANGO_ONLY)
    for group in ("Set up and run:", "Ingest and index:", "Search:", "Mail:", "Accounts:", "Data:"):
        assert f"\n{group}\n" in out
    assert re.search(r"^  ingest +bring papers in from arXiv", out, re.MULTILINE)  # each with its one line
    assert "`paperfeed django COMMAND`" in out  # and where Django's went


def test_every_command_is_in_a_group():
    grouped = [name for lines in cli.COMMAND_GROUPS.values() for name in lines]
    assert len(grouped) == len(set(grouped)), "a command is in two groups"
    assert set(grouped) - cli.DJANGO_COMMANDS_AT_TOP == set(paperfeed_commands()), (
        "every command of paperfeed's apps has a group and a line in cli.COMMAND_GROUPS, and nothing else"
    )
    assert set(cli.own_commands()) == set(paperfeed_commands())  # found without settings, the same


def test_djangos_commands_are_under_django(capsys):
    code, out, _ = run_main(capsys, "django", "help")
    assert code == 0 and "Type 'paperfeed django help <subcommand>'" in out
    assert "    runserver\n" in out and "    migrate-data\n" in out
    code, out, _ = run_main(capsys, "django", "help", "sqlflush")
    assert code == 0 and out.startswith("usage: paperfeed django sqlflush")
    code, out, _ = run_main(capsys, "django", "--version")
    assert code == 0 and out.strip() != paperfeed.__version__  # Django's, where it belongs


def test_help_for_a_command_by_either_spelling(capsys):
    code, out, _ = run_main(capsys, "help", "migrate-data")
    assert code == 0 and out.startswith("usage: paperfeed migrate-data")
    code, out, _ = run_main(capsys, "shell", "-c", "print(6 * 7)")
    assert code == 0 and out.endswith("42\n")


@pytest.mark.parametrize(
    ("word", "hint"),
    [("runserver", "`paperfeed django COMMAND`"), ("ingset", "did you mean `paperfeed ingest`?"), ("--verbose", "unknown option")],
)
def test_an_unknown_command_is_one_line_and_exit_2(capsys, word, hint):
    code, out, err = run_main(capsys, word)
    assert code == 2 and out == ""
    assert err.startswith("paperfeed: unknown ") and hint in err and err.count("\n") == 1


def test_settings_refuse_values_they_cannot_use(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match=r"DATABASE_URL: unknown scheme 'foo'; use sqlite:"):
        database_settings("foo://")
    monkeypatch.setenv("PAPERFEED_LOG_LEVEL", "verbose")
    with pytest.raises(ImproperlyConfigured, match="PAPERFEED_LOG_LEVEL must be one of DEBUG, INFO"):
        env_choice("PAPERFEED_LOG_LEVEL", "WARNING", ("DEBUG", "INFO", "WARNING"), case_sensitive=False)
    monkeypatch.setenv("PAPERFEED_LOG_LEVEL", "info")
    assert env_choice("PAPERFEED_LOG_LEVEL", "WARNING", ("DEBUG", "INFO"), case_sensitive=False) == "INFO"


# -- real processes -------------------------------------------------------------------------


def _run(args: list[str], cwd, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_help_writes_nothing(tmp_path):
    # The default data directory is ./data: help in an empty directory must leave it empty.
    env = {k: v for k, v in cli_env(tmp_path).items() if k not in {"PAPERFEED_DATA_DIR", "PAPERFEED_SECRET_KEY"}}
    out = _run([*PAPERFEED, "--help"], tmp_path, env)  # the entry point itself
    assert out.returncode == 0 and out.stdout.startswith("usage: paperfeed COMMAND"), out.stderr
    # Every command's --help reads the settings: in one more process, not one each.
    code = (
        "from paperfeed import cli\n"
        "for words in [[], ['django', 'help'], *([name, '--help'] for name in cli.own_commands())]:\n"
        "    try:\n"
        "        cli.main(['paperfeed', *words])\n"
        "    except SystemExit as exit:\n"
        "        assert not exit.code, (words, exit.code)\n"
    )
    out = _run([sys.executable, "-c", code], tmp_path, env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("usage: paperfeed ") == len(cli.own_commands()) + 1
    assert list(tmp_path.iterdir()) == [], f"help wrote {list(tmp_path.rglob('*'))}"


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("DATABASE_URL", "foo://", "paperfeed: configuration error: DATABASE_URL: unknown scheme 'foo'"),
        ("PAPERFEED_LOG_LEVEL", "verbose", "paperfeed: configuration error: PAPERFEED_LOG_LEVEL must be one of"),
    ],
)
def test_a_configuration_error_is_one_line_and_exit_2(tmp_path, variable, value, says):
    out = _run([*PAPERFEED, "status"], tmp_path, cli_env(tmp_path / "data", **{variable: value}))
    assert out.returncode == 2
    assert out.stderr.startswith(says) and out.stderr.count("\n") == 1, out.stderr


@pytest.mark.parametrize("words", [("show", "2401.00001"), ("export", "--user", "ada")])
def test_a_database_without_tables_is_one_line_and_exit_2(tmp_path, words):
    # Not run_cli: it would give the data directory a migrated database.
    env = cli_env(tmp_path)
    env.pop("DATABASE_URL", None)
    out = _run([*PAPERFEED, *words], tmp_path, env)
    assert out.returncode == 2, out.stderr
    assert out.stderr == (
        f"paperfeed: the SQLite database {tmp_path / 'paperfeed.sqlite3'} has no tables yet: run `paperfeed init` "
        "(or point PAPERFEED_DATA_DIR or DATABASE_URL at your site)\n"
    )


def test_library_progress_bars_stay_off(tmp_path):
    # `paperfeed search` loading the model printed transformers' "Loading weights" bar (tqdm,
    # switched through huggingface_hub) on standard error. The libraries read their switches
    # at import, so this takes a process: the command line's set-up, then their bars.
    code = (
        "import sys\n"
        "from paperfeed import cli\n"
        "cli.main(['paperfeed', '--version'])\n"
        "from tqdm import tqdm\n"
        "from huggingface_hub.utils import are_progress_bars_disabled\n"
        "list(tqdm(range(3), desc='Loading weights'))\n"
        "print(are_progress_bars_disabled())\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in cli.QUIET_LIBRARIES}
    out = _run([sys.executable, "-c", code], tmp_path, env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == "True" and out.stderr == ""
