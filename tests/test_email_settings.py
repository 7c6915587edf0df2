"""PAPERFEED_EMAIL_URL: one URL to Django's mail settings; never a password in the clear."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from paperfeed.config import email_settings
from tests.helpers import run_cli


def test_smtp_urls_map_to_django_settings():
    plain = email_settings("smtp://127.0.0.1:2525")
    assert (plain.host, plain.port, plain.user, plain.starttls, plain.tls) == ("127.0.0.1", 2525, "", False, False)
    starttls = email_settings("smtp+tls://me%40example.org:p%3Ass@mail.example.org")
    assert (starttls.port, starttls.user, starttls.password, starttls.starttls) == (587, "me@example.org", "p:ss", True)
    assert email_settings("smtps://u:p@mail.example.org").port == 465 and email_settings("smtps://u:p@h").tls
    assert email_settings("console://").backend.endswith("console.EmailBackend")
    assert email_settings("file:///var/spool/pf").file_path == "/var/spool/pf"


@pytest.mark.parametrize("url", ["smtp://user:secret@mail.example.org:25", "gopher://x", "smtp://h:notaport", "file://"])
def test_bad_or_unsafe_urls_are_refused(url):
    with pytest.raises(ImproperlyConfigured):
        email_settings(url)


def test_a_password_over_plain_smtp_stops_the_program_with_exit_2(tmp_path):
    out = run_cli(tmp_path, "status", PAPERFEED_EMAIL_URL="smtp://user:secret@mail.example.org:25")
    assert out.returncode == 2
    assert "unencrypted" in out.stderr and "secret" not in out.stderr
