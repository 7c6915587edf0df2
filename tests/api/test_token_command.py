"""`paperfeed token create|list|revoke`: in-process through call_command, and one real process
for the exit code a script sees."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from paperfeed.api.models import ApiToken
from paperfeed.api.token_service import MAX_ACTIVE_TOKENS

from ..helpers import cli_help, run_cli
from .conftest import auth


def token(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_help_names_the_actions():
    text = cli_help("token")
    for action in ("create", "list", "revoke"):
        assert f"    {action} " in text
    assert "--name NAME" in cli_help("token", "create")


def test_create_prints_a_working_secret_once(client, make_user):
    make_user("ada")
    out, err = token("create", "ada", "--name", "nightly export")
    secret = out.strip()
    assert secret.startswith("pf_") and "\n" not in secret
    assert "nightly export" in err and secret not in err
    row = ApiToken.objects.get(user__username="ada")
    assert row.name == "nightly export" and secret not in (row.hashed_secret, row.prefix)
    assert client.get("/api/whoami-v2", **auth(secret)).json()["name"] == "ada"

    listed, _ = token("list", "ada")
    assert f"{row.pk}\tada\tnightly export\t{row.prefix}…" in listed and "active" in listed
    assert secret not in listed

    revoked, _ = token("revoke", str(row.pk))
    assert revoked.startswith(f"revoked token {row.pk}")
    assert client.get("/api/whoami-v2", **auth(secret)).status_code == 401
    assert "was already revoked" in token("revoke", str(row.pk))[0]
    assert "\trevoked " in token("list")[0]


def test_list_of_everyone(make_user):
    for name in ("ada", "alan"):
        token("create", make_user(name).username, "--name", f"{name}'s laptop")
    lines = token("list")[0].splitlines()
    assert lines[0].startswith("id\tuser\tname")
    assert [line.split("\t")[1] for line in lines[1:]] == ["ada", "alan"]


@pytest.mark.parametrize(
    "args, message",
    [
        (("create", "nobody", "--name", "x"), "no user named 'nobody'"),
        (("create", "ada", "--name", "  "), "--name must be 1 to 100 characters"),
        (("create", "ada", "--name", "x" * 101), "--name must be 1 to 100 characters"),
        (("list", "nobody"), "no user named 'nobody'"),
        (("revoke", "999999"), "no token with id 999999"),
    ],
)
def test_bad_input_is_exit_code_2(make_user, args, message):
    make_user("ada")
    with pytest.raises(CommandError, match=message) as refused:
        token(*args)
    assert refused.value.returncode == 2
    assert not ApiToken.objects.exists()


def test_the_active_token_limit_is_exit_code_1(make_user):
    user = make_user("ada")
    for n in range(MAX_ACTIVE_TOKENS):
        ApiToken.issue(user, f"t{n}")
    with pytest.raises(CommandError, match="revoke one first") as refused:
        token("create", "ada", "--name", "one more")
    assert refused.value.returncode == 1


def test_a_real_process_exits_2_for_an_unknown_user(tmp_path):
    out = run_cli(tmp_path, "token", "create", "nobody", "--name", "ci")
    assert out.returncode == 2, out.stderr
    assert "no user named 'nobody'" in out.stderr and out.stdout == ""
