import os
import re
import stat
import subprocess
import sys
from pathlib import Path

from paperfeed.config import load_or_create_secret_key

from .conftest import REPO_ROOT
from .helpers import cli_env

SOURCE = REPO_ROOT / "src" / "paperfeed"
DOC = REPO_ROOT / "docs" / "configuration.md"
# env_str("NAME", ...), env_bool(...), os.environ.get("NAME"), os.environ["NAME"], getenv("NAME")
_READS = re.compile(r"""(?:env_\w+\(|environ(?:\.get\(|\[)|getenv\()\s*["']([A-Z][A-Z0-9_]+)["']""")


def variables_read_by_code() -> set[str]:
    names: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        names |= set(_READS.findall(path.read_text()))
    # Not settings of paperfeed: Django's own, and the terminal width the CLI reference fixes.
    return names - {"DJANGO_SETTINGS_MODULE", "COLUMNS"}


def test_every_setting_is_documented():
    names = variables_read_by_code()
    assert {"PAPERFEED_DATA_DIR", "DATABASE_URL", "PAPERFEED_SECRET_KEY"} <= names
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", DOC.read_text(), re.MULTILINE))
    assert names - documented == set(), "read by the code but missing from docs/configuration.md"


# Any PAPERFEED_… name, wherever it stands: a variable can be read through a name kept in a
# constant (search's `eval` command), which _READS cannot see.
_NAMED = re.compile(r"\bPAPERFEED_[A-Z0-9_]+\b")
# Django settings that settings.py computes rather than reads (PAPERFEED_CSP from PAPERFEED_CSP_EXTRA).
_ASSIGNED = re.compile(r"^(PAPERFEED_[A-Z0-9_]+)\s*=", re.MULTILINE)


def test_every_variable_named_in_the_code_is_documented():
    named: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        named |= set(_NAMED.findall(path.read_text()))
    computed = set(_ASSIGNED.findall((SOURCE / "settings.py").read_text())) - variables_read_by_code()
    assert "PAPERFEED_EVAL_THROWAWAY" in named and "PAPERFEED_CSP" in computed
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", DOC.read_text(), re.MULTILINE))
    assert named - computed - documented == set(), "named by the code but missing from docs/configuration.md"


def test_a_variable_no_setting_reads_is_pointed_out_and_the_command_runs_on(tmp_path):
    env = cli_env(tmp_path / "data", PAPERFEED_PAGE_CACH="0", PAPERFEED_NOT_A_THING="1")
    done = subprocess.run(
        [sys.executable, "-m", "paperfeed", "help", "jobs"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "usage: paperfeed jobs" in done.stdout
    assert done.stderr.splitlines() == [
        "paperfeed: warning: PAPERFEED_NOT_A_THING is not a setting of this version; it is ignored "
        "(docs/configuration.md lists them)",
        "paperfeed: warning: PAPERFEED_PAGE_CACH is not a setting of this version; did you mean "
        "PAPERFEED_PAGE_CACHE? (docs/configuration.md lists them)",
    ]


def test_every_documented_variable_is_one_the_settings_read():
    """No false warning: each PAPERFEED_ name of docs/configuration.md is read by the settings
    (this process has read them) or is paperfeed's own internal one."""
    from paperfeed import config

    documented = set(re.findall(r"^\| `(PAPERFEED_[A-Z0-9_]+)`", DOC.read_text(), re.MULTILINE))
    assert len(documented) > 50
    assert config.unknown_variables(dict.fromkeys(documented, "1")) == []
    assert config.unknown_variables({"PAPERFEED_IMPACT_THRESHHOLD": "5", "HOME": "/"}) == [
        "PAPERFEED_IMPACT_THRESHHOLD is not a setting of this version; did you mean PAPERFEED_IMPACT_THRESHOLD? "
        "(docs/configuration.md lists them)"
    ]


def test_secret_key_is_generated_once_with_private_permissions(tmp_path):
    key = load_or_create_secret_key(tmp_path / "data")
    path = tmp_path / "data" / "secret_key"
    assert len(key) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret_key(tmp_path / "data") == key
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["secret_key"]


def _run_python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    # The default database (no DATABASE_URL, even when the suite itself runs on PostgreSQL).
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PAPERFEED_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="paperfeed.settings")
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "c = connection.cursor()\n"
        "print([c.execute(f'PRAGMA {p}').fetchone()[0] for p in ('journal_mode','synchronous','busy_timeout')])\n"
        "print(connection.settings_dict['OPTIONS']['transaction_mode'])\n"
    )
    out = _run_python(code, env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["['wal', 1, 5000]", "IMMEDIATE"]
    assert (tmp_path / "paperfeed.sqlite3").exists()


def test_bad_boolean_is_a_clear_configuration_error(tmp_path):
    env = cli_env(tmp_path, PAPERFEED_DEBUG="maybe")
    out = subprocess.run(
        [sys.executable, "-m", "paperfeed", "status"], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 2
    assert "PAPERFEED_DEBUG must be one of" in out.stderr
    assert "Traceback" not in out.stderr


def test_unusable_data_dir_is_reported(tmp_path):
    # A path below a regular file can never be created, even by root (CI runs as root,
    # where permission bits alone would not stop the write).
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    env = cli_env(blocker / "data")
    out = subprocess.run([sys.executable, "-m", "paperfeed", "init"], env=env, capture_output=True, text=True)
    assert out.returncode == 2
    assert f"the data directory {blocker / 'data'} is not usable (Not a directory)" in out.stderr
    assert "Traceback" not in out.stderr
