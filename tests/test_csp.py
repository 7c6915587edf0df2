"""Every HTML page carries the strict Content-Security-Policy (csp.py), and no template holds
what that policy would block. The browser tests (tests/browser/) check that no page breaks it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from paperfeed.csp import build_policy
from tests.browser.test_every_page import PAGES

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "paperfeed"
# Mail, not pages: mail clients need inline styles.
EMAIL_TEMPLATES = {"digests/email.html", "digests/_body.html", "accounts/password_reset_email.html"}


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
def test_every_page_logged_in_and_out_carries_the_policy(client, sample_db):
    reader = get_user_model().objects.create_user("csp-reader", "csp@example.org", "x")
    signed_in = Client()
    signed_in.force_login(reader)
    paths = [page.path.format(comment=1) for page in PAGES] + ["/admin/login/", "/admin/"]
    missing = []
    for who, visitor in (("visitor", client), ("reader", signed_in)):
        for path in paths:
            response = visitor.get(path)
            if response["Content-Type"].startswith("text/html") and "Content-Security-Policy" not in response:
                missing.append(f"{who} {path} ({response.status_code})")
            if b"{#" in response.content:  # a template comment over two lines is printed as text
                missing.append(f"{who} {path}: a template comment shows")
    assert not missing, f"pages without a Content-Security-Policy, or showing a template comment: {missing}"

    policy = _directives(client.get("/papers").headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]


@pytest.mark.django_db
def test_error_pages_carry_it_too(client):
    csrf_client = Client(enforce_csrf_checks=True)
    refused = csrf_client.post("/login", {"username": "a", "password": "b"})
    assert refused.status_code == 403
    assert "script-src 'self'" in refused["Content-Security-Policy"]
    assert "script-src 'self'" in client.get("/no-such-page")["Content-Security-Policy"]


def test_no_template_holds_inline_script_handlers_or_style_attributes():
    """What the policy blocks must not be in the pages: <script> without src, on*="…" handlers,
    javascript: URLs, style="…" attributes and <style> elements."""
    rules = {
        "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
        "event handler attribute": re.compile(r"<[^>]+\son[a-z]+\s*=", re.I),
        "javascript: URL": re.compile(r"javascript:", re.I),
        "style attribute": re.compile(r"<[^>]+\sstyle\s*=", re.I),
        "<style> element": re.compile(r"<style\b", re.I),
    }
    found = []
    templates = list(PACKAGE.rglob("templates/**/*.html"))
    assert len(templates) > 50
    for path in templates:
        name = str(path.relative_to(PACKAGE)).split("templates/", 1)[1]
        if name in EMAIL_TEMPLATES:
            continue
        text = path.read_text()
        for what, rule in rules.items():
            if rule.search(text):
                found.append(f"{name}: {what}")
    assert not found, "\n".join(found)


def test_an_operator_can_add_sources_but_not_break_the_header():
    policy = _directives(build_policy("img-src https://logos.example.org; object-src https://cdn.example.org"))
    assert policy["img-src"][-1] == "https://logos.example.org" and "'self'" in policy["img-src"]
    assert policy["object-src"] == ["https://cdn.example.org"]  # replaces 'none'
    for bad in ("img-src", "scrip-src 'self'", "img-src https://a.example,https://b.example", "img-src a\x00b"):
        with pytest.raises(ImproperlyConfigured):
            build_policy(bad)
