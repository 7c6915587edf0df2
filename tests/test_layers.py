"""The import contracts of .importlinter hold: apps import only the layers below them (views
excepted, each by name), and the SQLite and PostgreSQL search engines never import each other.

Runs import-linter in this process on the source tree (no database, no child process); a
broken contract fails here with import-linter's report of each offending import.
"""

from __future__ import annotations

from pathlib import Path

from importlinter import api  # noqa: F401  (configures import-linter, as its command does)
from importlinter.application import use_cases

CONTRACTS = Path(__file__).resolve().parent.parent / ".importlinter"


def test_imports_keep_the_layers(capsys):
    passed = use_cases.lint_imports(config_filename=str(CONTRACTS), cache_dir=None, no_logo=True)
    report = capsys.readouterr().out
    assert passed, report
    assert "3 kept, 0 broken" in report  # every contract was read and checked
