"""docs/cli.md is what the commands' parsers say, and operations.md names every command."""

from pathlib import Path

from paperfeed.cli_reference import paperfeed_commands, render

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_cli_reference_is_up_to_date():
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == render(), (
        "docs/cli.md is out of date: run `python -m paperfeed.cli_reference`"
    )


def test_every_command_is_in_the_operations_command_table():
    operations = (DOCS / "operations.md").read_text(encoding="utf-8")
    table = operations.split("## The commands", 1)[1].split("\n## ", 1)[0]
    missing = [name for name in paperfeed_commands() if f"| `paperfeed {name}" not in table]
    assert not missing, f"commands missing from the table of docs/operations.md: {missing}"
