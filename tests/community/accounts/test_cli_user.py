"""`paperfeed user add|suspend|activate`, run as the real command against its own data dir."""

from __future__ import annotations

import os
import pty
import select
import sqlite3
import subprocess
import time

import pytest

from tests.helpers import PAPERFEED, cli_env, cli_help, run_cli, start_migrated

GOOD_PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("user-cli")
    start_migrated(path)  # a migrated database, as `paperfeed init` leaves it (tests/helpers.py)
    return path


def user_cli(data_dir, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [*PAPERFEED, "user", *args], env=cli_env(data_dir), input=stdin, capture_output=True, text=True, timeout=120
    )


def user_row(data_dir, username: str):
    with sqlite3.connect(data_dir / "paperfeed.sqlite3") as db:
        return db.execute(
            "SELECT email, is_staff, is_superuser, is_active, password FROM auth_user WHERE username = ?", (username,)
        ).fetchone()


def can_log_in(data_dir, username: str, password: str) -> bool:
    code = (
        "from django.contrib.auth import authenticate; "
        f"print(authenticate(username={username!r}, password={password!r}) is not None)"
    )
    out = run_cli(data_dir, "shell", "-c", code)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1] == "True"


def test_help():
    assert cli_help("user", "add").startswith(
        "usage: paperfeed user add [-h] --email EMAIL [--staff] [--superuser] username\n"
    )
    assert "    add                 create an account\n" in cli_help("user")


def test_add_with_the_password_on_stdin(data_dir):
    out = user_cli(data_dir, "add", "ada", "--email", "ada@Example.org", stdin=f"{GOOD_PASSWORD}\nignored second line\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout == "added user ada <ada@Example.org>\n"
    email, staff, superuser, active, password = user_row(data_dir, "ada")
    assert (email, staff, superuser, active) == ("ada@example.org", 0, 0, 1)
    assert password.startswith("pbkdf2_sha256$")
    assert can_log_in(data_dir, "ada", GOOD_PASSWORD)


@pytest.mark.parametrize(
    ("flag", "kind", "row"), [("--staff", "staff user", (1, 0)), ("--superuser", "superuser", (1, 1))]
)
def test_add_staff_and_superusers(data_dir, flag, kind, row):
    name = kind.replace(" ", "")
    out = user_cli(data_dir, "add", name, "--email", f"{name}@example.org", flag, stdin=GOOD_PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"added {kind} {name} <{name}@example.org>\n"
    assert user_row(data_dir, name)[1:3] == row


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["add", "bob", "--email", "not-an-address"], GOOD_PASSWORD, "  e-mail: Enter a valid email address.\n"),
        (["add", "bob", "--email", "bob@example.org"], "password", "  password: This password is too common.\n"),
        (["add", "bob", "--email", "bob@example.org"], "bob12", "  password: This password is too short. It must contain at least 8 characters.\n"),
        (["add", "bob", "--email", "bob@example.org"], "", "CommandError: no password on standard input (the first line is the password)\n"),
        (["add", "b<o>b", "--email", "bob@example.org"], GOOD_PASSWORD, "  Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.\n"),
        (["add", "bob@example.org", "--email", "bob@example.org"], GOOD_PASSWORD, "  A username cannot contain “@”.\n"),
        (["suspend", "bob", "extra"], "", "unrecognized arguments: extra"),
        ([], "", "the following arguments are required: ACTION"),
        (["add", "bob"], GOOD_PASSWORD, "the following arguments are required: --email"),
        (["suspend", "nobody"], "", "CommandError: no user named 'nobody'\n"),
    ],
)
def test_bad_input_exits_2_and_says_why(data_dir, args, stdin, message):
    out = user_cli(data_dir, *args, stdin=stdin)
    assert out.returncode == 2, out
    assert message in out.stderr
    assert "Traceback" not in out.stderr
    assert user_row(data_dir, "bob") is None


def test_an_existing_user_or_address_is_refused(data_dir):
    assert user_cli(data_dir, "add", "carol", "--email", "carol@example.org", stdin=GOOD_PASSWORD).returncode == 0
    out = user_cli(data_dir, "add", "Carol", "--email", "CAROL@example.org", stdin=GOOD_PASSWORD)
    assert out.returncode == 2
    assert out.stderr == (
        "CommandError: cannot add the user:\n"
        "  a user named 'Carol' already exists\n"
        "  e-mail: another account already uses 'CAROL@example.org'\n"
    )


def test_suspend_and_activate(data_dir):
    assert user_cli(data_dir, "add", "dave", "--email", "dave@example.org", stdin=GOOD_PASSWORD).returncode == 0
    out = user_cli(data_dir, "suspend", "dave")
    assert (out.returncode, out.stdout) == (0, "suspended dave\n")
    assert user_row(data_dir, "dave")[3] == 0
    assert not can_log_in(data_dir, "dave", GOOD_PASSWORD)
    out = user_cli(data_dir, "activate", "dave")
    assert (out.returncode, out.stdout) == (0, "activated dave\n")
    assert user_row(data_dir, "dave")[3] == 1
    assert can_log_in(data_dir, "dave", GOOD_PASSWORD)


def _read_until(fd: int, marker: bytes, seen: bytearray, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while marker not in seen:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise AssertionError(f"no {marker!r} within {timeout} s; got {bytes(seen)!r}")
        chunk = os.read(fd, 1024)
        if not chunk:
            raise AssertionError(f"the command ended before {marker!r}; got {bytes(seen)!r}")
        seen.extend(chunk)


@pytest.mark.parametrize(("second", "code"), [(GOOD_PASSWORD, 0), ("a different one", 2)])
def test_on_a_terminal_the_password_is_asked_twice(data_dir, second, code):
    """Standard input is a terminal (a pty): getpass prompts, without echo, twice."""
    name = f"erin{code}"
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [*PAPERFEED, "user", "add", name, "--email", f"{name}@example.org"],
        env=cli_env(data_dir),
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # no controlling terminal: getpass uses the pty on stdin
    )
    os.close(terminal)
    try:
        prompts = bytearray()
        _read_until(process.stderr.fileno(), b"Password: ", prompts)
        os.write(controller, f"{GOOD_PASSWORD}\n".encode())
        _read_until(process.stderr.fileno(), b"Password (again): ", prompts)
        os.write(controller, f"{second}\n".encode())
        stdout, stderr = process.communicate(timeout=120)
    finally:
        os.close(controller)
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == code, (stdout, stderr)
    if code == 0:
        assert stdout == f"added user {name} <{name}@example.org>\n".encode()
        assert can_log_in(data_dir, name, GOOD_PASSWORD)
    else:
        assert stderr.endswith(b"CommandError: the two passwords differ\n")
        assert user_row(data_dir, name) is None
    # Nothing typed was echoed back.
    assert GOOD_PASSWORD.encode() not in bytes(prompts) + stdout + stderr
