"""A new reader in a real browser: sign up, submit a paper, upvote it, discuss it with math,
save it to a collection, see it trending — then log out and back in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import FRESH_ID

pytestmark = pytest.mark.browser

PASSWORD = "a long and unusual passphrase 42"


def test_new_reader_signs_up_submits_upvotes_comments_saves_and_sees_it_trending(demo_server, page):
    # Sign up.
    page.goto(f"{demo_server}/papers")
    page.get_by_role("link", name="Sign up").click()
    page.fill("#id_username", "newreader")
    page.fill("#id_email", "newreader@example.org")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".user-menu-name")).to_have_text("newreader")

    # Submit a paper to today's list by its arXiv URL.
    page.get_by_role("link", name="Submit").click()
    page.locator("input[name=paper]").fill(f"https://arxiv.org/abs/{FRESH_ID}v1")
    page.get_by_role("button", name="Submit paper").click()
    expect(page).to_have_url(f"{demo_server}/papers/{FRESH_ID}")
    expect(page.locator(".dates")).to_contain_text("submitted by newreader")

    # Upvote it (htmx); the count and the pressed state survive a reload.
    vote = page.locator(".paper-head .vote-button")
    expect(vote).to_have_attribute("aria-pressed", "false")
    before = int(vote.locator(".vote-count").inner_text())
    vote.click()
    expect(page.locator(".paper-head .vote-button")).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.locator(".paper-head .vote-count")).to_have_text(str(before + 1))

    # Comment with Markdown and math: KaTeX renders it, the Markdown becomes markup.
    page.locator("textarea[name=body]").first.fill("Neat bound: $O(n \\log n)$ is **tight**?")
    page.locator(".comment-form button[type=submit]").first.click()
    comment = page.locator(".comment").first
    expect(comment.locator(".katex")).to_have_count(1)
    expect(comment.locator("strong")).to_have_text("tight")
    expect(page.locator("#discussion")).to_contain_text("newreader")

    # Save it to a new collection from the paper page.
    page.locator(".save-menu-detail summary").click()
    page.locator("input[name=new_name]").fill("Reading list")
    page.get_by_role("button", name="Create & save").click()
    expect(page.locator(".save-chooser")).to_contain_text("Reading list")
    page.goto(f"{demo_server}/collections")
    page.get_by_role("link", name="Reading list").click()
    expect(page.locator(".card")).to_have_count(1)
    expect(page.locator(".card-title")).to_contain_text("sparse attention")

    # Trending: the fresh paper with its vote and comment leads, and says why.
    page.get_by_role("link", name="Trending").first.click()
    first = page.locator(".card").first
    expect(first.locator(".card-title")).to_contain_text("sparse attention")
    expect(first).to_contain_text(re.compile(r"1 upvote, 1 comment, \d+ h old → score"))

    # Log out and back in with the same password.
    page.locator(".user-menu-button").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    page.get_by_role("link", name="Log in").click()
    page.fill("#id_username", "newreader")
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".user-menu-name")).to_have_text("newreader")
    assert page.dialogs == []
