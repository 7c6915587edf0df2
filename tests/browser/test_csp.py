"""The Content-Security-Policy in Chromium: math (KaTeX), an htmx vote, the keyboard shortcuts
and Django's admin all work with nothing blocked. Every page of the site is also checked
logged in and out by test_every_page.py, and every test using the `page` fixture fails when
the browser blocked anything."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ..helpers import run_cli
from .conftest import HOSTILE_ID, PASSWORD, log_in

pytestmark = pytest.mark.browser

ADMIN = "csp-admin"
MAKE_ADMIN = f"""
from django.contrib.auth import get_user_model
get_user_model().objects.create_superuser("{ADMIN}", "{ADMIN}@example.org", "{PASSWORD}")
"""


def test_the_listener_sees_what_the_policy_blocks(demo_server, page):
    """Without this, a quiet listener could mean a missing header or a broken listener."""
    response = page.goto(f"{demo_server}/papers")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.evaluate("""() => {
        document.body.setAttribute("style", "outline: 1px solid red");
        const s = document.createElement("script"); s.textContent = "window.ran = 1"; document.body.append(s);
    }""")
    expect(page.locator("body")).to_have_attribute("style", "outline: 1px solid red")
    page.wait_for_function("() => true")  # one more round trip: the reports have arrived
    assert page.evaluate("window.ran") is None
    blocked = " ".join(page.csp_violations)
    assert "style-src-attr" in blocked and "script-src-elem" in blocked, page.csp_violations
    page.csp_violations.clear()


def test_math_an_htmx_vote_and_the_shortcuts_work_under_the_policy(demo_server, page, fresh_user):
    log_in(page, demo_server, fresh_user)
    page.goto(f"{demo_server}/papers/{HOSTILE_ID}")
    expect(page.locator(".katex")).to_have_count(3)
    vote = page.locator(".paper-head .vote-button")
    expect(vote).to_have_attribute("aria-pressed", "false")
    vote.click()  # an htmx POST, its answer swapped in
    expect(page.locator(".paper-head .vote-button")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("?")
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    page.goto(f"{demo_server}/settings/digest")  # forms.js
    page.wait_for_load_state("load")
    assert page.csp_violations == []


def test_the_admin_works_under_the_policy(demo_site, page):
    made = run_cli(demo_site.data_dir, "shell", "-c", MAKE_ADMIN)
    assert made.returncode == 0, made.stderr
    page.goto(f"{demo_site.url}/admin/login/")
    page.fill("#id_username", ADMIN)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto(f"{demo_site.url}/admin/papers/paper/?q=SWAN")
    expect(page.locator("#result_list")).to_be_visible()
    page.locator("#result_list tbody a").first.click()
    expect(page.locator("#paper_form")).to_be_visible()
    # An action's confirmation page (nothing is deleted: it is not confirmed).
    page.goto(f"{demo_site.url}/admin/papers/paper/?q=SWAN")
    page.locator("#result_list tbody input[type=checkbox]").first.check()
    expect(page.locator(".action-counter")).to_contain_text("1 of")  # actions.js counts it
    page.select_option("select[name=action]", "delete_selected")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", name="Delete multiple objects")).to_be_visible()
    for path in ("/admin/discussion/comment/", "/admin/auth/user/add/"):  # date hierarchy; password widget
        page.goto(f"{demo_site.url}{path}")
        page.wait_for_load_state("load")
    assert page.csp_violations == []
