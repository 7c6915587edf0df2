import json
import socket

import httpx
import pytest

from paperfeed.cli_reference import paperfeed_commands

from .helpers import cli_help, run_cli, serving

# Every command of paperfeed's apps, as typed (migrate-data). The main help, the version and
# the one-line errors of the command line itself: tests/test_cli_help.py.
COMMANDS = list(paperfeed_commands())


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    assert cli_help(command).startswith(f"usage: paperfeed {command}")


def test_init_then_status_on_an_empty_database(tmp_path):
    first = run_cli(tmp_path, "init")
    assert first.returncode == 0, first.stderr
    assert "applied" in first.stdout
    again = run_cli(tmp_path, "init")
    assert again.returncode == 0 and "schema is up to date" in again.stdout
    status = run_cli(tmp_path, "status", "--json")
    assert status.returncode == 0, status.stderr
    report = json.loads(status.stdout)
    assert report["papers"] == 0 and report["days"] == 0 and report["last_day"] is None and report["last_ingest"] is None


def test_status_before_init_says_what_to_do(tmp_path):
    out = run_cli(tmp_path, "status")
    assert out.returncode == 1
    assert "run `paperfeed init`" in out.stderr


def test_corrupt_database_is_reported_without_traceback(tmp_path):
    assert run_cli(tmp_path, "init").returncode == 0
    (tmp_path / "paperfeed.sqlite3").write_bytes(b"this is not a database" * 1000)
    for wal in tmp_path.glob("paperfeed.sqlite3-*"):
        wal.unlink()
    out = run_cli(tmp_path, "status")
    assert out.returncode == 1
    assert "cannot be read" in out.stderr and "restore it from a backup" in out.stderr
    assert "Traceback" not in out.stderr


def test_serve_refuses_a_port_in_use(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = run_cli(tmp_path, "serve", "--port", str(port))
    assert out.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in out.stderr


def test_serve_answers_http_on_a_fresh_data_dir(tmp_path):
    with serving(tmp_path / "data", timeout=60) as url:
        assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
        page = httpx.get(f"{url}/papers")
        assert page.status_code == 200 and "No papers yet" in page.text
        assert "gunicorn" in page.headers.get("server", "")
