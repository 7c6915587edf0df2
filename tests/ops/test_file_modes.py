"""Files paperfeed writes are its user's alone (0600, folders 0700) whatever the umask it was
started with; `paperfeed status` names whatever is open to others, and `init` closes it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from paperfeed.core import file_modes, preflight
from tests.helpers import cli_env

# One child process started with the usual umask 022 does what a new site does — `init`,
# a `backup`, a vector index, a thumbnail — and then `status`, all through the real entry point.
NEW_SITE = """
import os, sys
import numpy as np
from paperfeed.cli import main
main(["paperfeed", "init"])
main(["paperfeed", "backup"])
from paperfeed.search.engines.faiss_file import write_index
write_index("test-model", np.array([1, 2], dtype=np.int64), np.ones((2, 4), dtype=np.float32))
from paperfeed.thumbnails import files
files.write("2410.18693", b"RIFF....WEBP")
main(["paperfeed", "status", "--json"])
# -wal and -shm exist while a connection is open (the last one to close removes them).
from django.conf import settings
from django.db import connection
connection.cursor().execute("SELECT count(*) FROM django_session")
for suffix in ("-wal", "-shm"):
    print(f"mode{suffix}={os.stat(str(settings.DATABASES['default']['NAME']) + suffix).st_mode & 0o777:o}")
"""


def _modes(root: Path) -> dict[str, int]:
    modes = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        modes[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return modes


def test_a_new_site_started_with_umask_022_keeps_everything_private(tmp_path):
    data_dir = tmp_path / "data"
    # The static files where a site keeps them by default, in the data directory (the test
    # run's processes share one folder elsewhere).
    env = cli_env(data_dir, PAPERFEED_STATIC_ROOT=str(data_dir / "static"))
    made = subprocess.run(
        [sys.executable, "-c", NEW_SITE], env=env, capture_output=True, text=True, timeout=120,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert made.returncode == 0, made.stderr
    modes = _modes(data_dir)
    for name in ("secret_key", "paperfeed.sqlite3", "static/staticfiles.json"):
        assert name in modes, f"{name} was not written: {sorted(modes)}"
    assert any(name.startswith("static/paperfeed/paperfeed.") and name.endswith(".css") for name in modes)
    assert "mode-wal=600" in made.stdout and "mode-shm=600" in made.stdout, made.stdout[-200:]
    assert any(name.startswith("backups/paperfeed-backup-") for name in modes)
    assert any(name.startswith("vectors/") and name.endswith("manifest.json") for name in modes)

    public = {name: mode for name, mode in modes.items() if name.split("/")[0] == "thumbnails"}
    private = {name: mode for name, mode in modes.items() if name not in public}
    assert private["."] == 0o700
    wrong = {name: f"{mode:04o}" for name, mode in private.items()
             if mode != (0o700 if (data_dir / name).is_dir() else 0o600)}
    assert not wrong, f"open to other users: {wrong}"
    # Thumbnails are public pictures a front web server may serve as another user.
    assert public == {"thumbnails": 0o755, "thumbnails/2410": 0o755, "thumbnails/2410/2410.18693.webp": 0o644}

    status = json.loads(made.stdout[made.stdout.index("{"):made.stdout.rindex("}") + 1])
    assert status["loose_file_modes"] == []


@pytest.fixture
def data_dir(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    (data_dir / "backups").mkdir(mode=0o700)
    for name in ("secret_key", "paperfeed.sqlite3", "backups/paperfeed-backup-20261127T033000Z.tar"):
        (data_dir / name).write_text("x")
        (data_dir / name).chmod(0o600)
    with override_settings(DATA_DIR=data_dir):
        yield data_dir


@pytest.mark.django_db
def test_status_warns_about_a_file_open_to_others_and_says_how_to_fix_it(data_dir):
    (data_dir / "paperfeed.sqlite3").chmod(0o644)
    (data_dir / "backups").chmod(0o755)
    out, err = StringIO(), StringIO()
    call_command("status", stdout=out, stderr=err)
    assert "2 file(s) or folder(s) of paperfeed are open to other users" in err.getvalue()
    assert f"chmod 600 {data_dir / 'paperfeed.sqlite3'}    # now 0644" in err.getvalue()
    assert f"chmod 700 {data_dir / 'backups'}    # now 0755" in err.getvalue()

    out = StringIO()
    call_command("status", "--json", stdout=out)
    loose = json.loads(out.getvalue())["loose_file_modes"]
    assert {(entry["path"], entry["mode"], entry["wanted"]) for entry in loose} == {
        (str(data_dir / "paperfeed.sqlite3"), "0644", "0600"),
        (str(data_dir / "backups"), "0755", "0700"),
    }


@pytest.mark.django_db
def test_status_is_quiet_when_every_mode_is_private(data_dir):
    err = StringIO()
    call_command("status", stdout=StringIO(), stderr=err)
    assert "open to other users" not in err.getvalue()


def test_the_data_directory_may_be_passed_through_but_not_listed(data_dir):
    """`chmod o+x` lets a web server reach thumbnails/ (docs/operations.md); o+r would list it."""
    data_dir.chmod(0o711)
    assert file_modes.loose_paths(data_dir, database=None) == []
    data_dir.chmod(0o755)
    assert file_modes.loose_paths(data_dir, database=None) == [file_modes.LoosePath(data_dir, 0o755, 0o700)]


def test_starting_makes_what_an_older_version_left_open_private(data_dir, capsys):
    (data_dir / "secret_key").chmod(0o644)
    wal = data_dir / "paperfeed.sqlite3-wal"
    wal.write_text("x")
    wal.chmod(0o664)
    data_dir.chmod(0o755)
    preflight.ensure_data_dir()
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / "secret_key").stat().st_mode) == 0o600
    assert stat.S_IMODE(wal.stat().st_mode) == 0o600
    assert f"{data_dir / 'secret_key'} was open to other users (0644); now 0600" in capsys.readouterr().err
    assert file_modes.loose_paths(data_dir, database=None) == []
