"""The ``paperfeed`` command: Django's management commands under the project's name.

Every sub-command is a management command in the app of its stage (``sources`` has
``ingest``, ``search`` has ``index``, ``ops`` has ``demo``/``serve``/``init``/``status``),
so ``paperfeed <command> --help`` and exit codes come from one place.
"""

from __future__ import annotations

import os
import re
import sys

from paperfeed.core.file_modes import restrict_umask

# A management command is a Python module, and a module name cannot hold a hyphen: the names
# people type map to the modules here.
COMMAND_ALIASES = {"migrate-data": "migrate_data"}


def main(argv: list[str] | None = None) -> None:
    # Before anything is written (the secret key, the database): files for this user only.
    restrict_umask()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import ManagementUtility

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "paperfeed"
    position = 2 if argv[1:2] == ["help"] else 1  # `paperfeed help migrate-data` too
    if len(argv) > position:
        argv[position] = COMMAND_ALIASES.get(argv[position], argv[position])
    class Utility(ManagementUtility):
        def main_help_text(self, commands_only: bool = False) -> str:
            """The command list names each command as it is typed (migrate-data)."""
            text = super().main_help_text(commands_only)
            for typed, module in COMMAND_ALIASES.items():
                text = re.sub(rf"^(\s*){re.escape(module)}$", rf"\g<1>{typed}", text, flags=re.MULTILINE)
            return text

    try:
        Utility(argv).execute()
    except ImproperlyConfigured as exc:
        # Configuration mistakes are the user's to fix: say what, without a traceback.
        print(f"paperfeed: configuration error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
