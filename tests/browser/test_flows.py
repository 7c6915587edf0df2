"""A reader's everyday actions end to end, each with a new account so that tests run in any order:
upvote and take it back, follow an author, mute a word and see its papers go, subscribe to the
digest with and without an account. (Signing up, submitting, commenting and saving are in
test_community.py.) Elements are found by role and name, as a person finds them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = pytest.mark.browser

SWAN_ID = "2412.13148"
WITH_AUTHORS = "2410.18693"  # "Unleashing Reasoning Capability of LLMs …", with its byline
DAY = "2024-10-25"  # a full day of the demo
FRAMER = re.compile(r"^Framer: Interactive Frame Interpolation")
UNBOUNDED = re.compile(r"^Unbounded: A Generative Infinite Game")


def _vote_button(page):
    """The paper page's own upvote button: the first one in the main content."""
    return page.get_by_role("main").get_by_role("button", name=re.compile("upvote", re.I)).first


def _count(button) -> int:
    """The count an upvote button shows ("12", or "Upvote <title>, 12 upvotes" with hidden text)."""
    text = button.inner_text()
    if said := re.search(r"(\d+)\s*upvotes?\b", text, re.I):
        return int(said.group(1))
    return int(re.findall(r"\d+", text)[-1])


def test_upvote_and_take_it_back(demo_server, page, fresh_user):
    log_in(page, demo_server, fresh_user)
    page.goto(f"{demo_server}/papers/{SWAN_ID}")
    vote = _vote_button(page)
    expect(vote).to_have_attribute("aria-pressed", "false")
    before = _count(vote)

    vote.click()
    expect(_vote_button(page)).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(_vote_button(page)).to_have_attribute("aria-pressed", "true")
    assert _count(_vote_button(page)) == before + 1

    _vote_button(page).click()
    expect(_vote_button(page)).to_have_attribute("aria-pressed", "false")
    page.reload()
    expect(_vote_button(page)).to_have_attribute("aria-pressed", "false")
    assert _count(_vote_button(page)) == before


def test_follow_an_author_from_a_paper_page(demo_server, page, fresh_user):
    log_in(page, demo_server, fresh_user)
    page.goto(f"{demo_server}/papers/{WITH_AUTHORS}")
    authors = page.get_by_role("region", name="Authors")
    first_author = authors.get_by_role("listitem").first.inner_text().strip()
    page.get_by_text("Follow an author").click()
    authors.get_by_label("Author").select_option(first_author)
    authors.get_by_role("button", name="Follow", exact=True).click()
    # The follow is posted in the background (htmx): its answer shows the state in place.
    expect(page.get_by_text(re.compile(f"Following\\s+{re.escape(first_author)}"))).to_be_visible()

    page.goto(f"{demo_server}/settings/personal")
    followed = page.get_by_role("region", name="Followed authors")
    expect(followed.get_by_role("link", name=first_author)).to_be_visible()


def test_a_muted_word_hides_its_papers_until_the_mute_is_removed(demo_server, page, fresh_user):
    log_in(page, demo_server, fresh_user)
    day = f"{demo_server}/papers/date/{DAY}"
    page.goto(day)
    expect(page.get_by_role("link", name=FRAMER).first).to_be_visible()

    page.goto(f"{demo_server}/settings/personal")
    mute_form = page.locator("form").filter(has=page.get_by_role("button", name="Mute", exact=True))
    mute_form.get_by_role("combobox").select_option("keyword")
    mute_form.get_by_role("textbox").fill("Framer")
    mute_form.get_by_role("button", name="Mute", exact=True).click()
    expect(page.get_by_role("region", name="Mute rules")).to_contain_text("Framer")

    page.goto(day)
    expect(page.get_by_role("link", name=UNBOUNDED).first).to_be_visible()  # the rest of the day stays
    expect(page.get_by_role("link", name=FRAMER)).to_have_count(0)
    page.goto(f"{demo_server}/papers/search?q=interactive+frame+interpolation")
    expect(page.get_by_role("link", name=FRAMER)).to_have_count(0)

    page.goto(f"{demo_server}/settings/personal")
    page.get_by_role("region", name="Mute rules").get_by_role("button", name="Remove").click()
    page.goto(day)
    expect(page.get_by_role("link", name=FRAMER).first).to_be_visible()


def test_subscribe_to_the_digest_without_an_account(demo_server, page):
    page.goto(f"{demo_server}/papers")
    page.get_by_role("contentinfo").get_by_role("link", name=re.compile("in your inbox")).click()
    page.get_by_label(re.compile("e-?mail", re.I)).fill("digest-reader@example.org")
    page.get_by_role("main").get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    expect(page.get_by_role("main")).to_contain_text("digest-reader@example.org")


def test_subscribe_to_the_digest_with_an_account(demo_server, page, fresh_user):
    log_in(page, demo_server, fresh_user)
    page.goto(f"{demo_server}/settings/digest")
    weekly = page.get_by_role("radio", name="Weekly")  # a choice of two: radios or a select
    if weekly.count():
        weekly.check()
    else:
        page.get_by_label("How often").select_option("weekly")
    page.get_by_role("main").get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("status").first).to_contain_text(f"{fresh_user}@example.org")
