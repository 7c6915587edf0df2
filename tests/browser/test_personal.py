"""For you in a real browser: upvotes fill it with no command run, "Not interested" changes the
list in place (and Undo brings the paper back); following an author shows "Following"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import sign_up

pytestmark = pytest.mark.browser


def test_upvotes_fill_for_you_and_not_interested_works_in_place(demo_server, page):
    sign_up(page, demo_server, "picker")
    page.goto(f"{demo_server}/for-you")
    expect(page.get_by_text("No picks yet.")).to_be_visible()

    page.goto(f"{demo_server}/papers/date/2024-10-25")
    buttons = page.locator(".card .vote-button")
    for i in range(3):
        buttons.nth(i).click()
        expect(page.locator(".card .vote-button").nth(i)).to_have_attribute("aria-pressed", "true")

    page.goto(f"{demo_server}/for-you")
    cards = page.locator("ol.picks > li.card")
    expect(cards.first).to_be_visible()
    expect(cards.first.locator(".pick-reason")).to_contain_text("Because you liked")
    title = cards.first.locator(".card-title").inner_text()

    page.evaluate("window.stillThisPage = true")  # gone if the page reloads
    cards.first.get_by_role("button", name=f"Not interested in “{title[:60]}").click()
    dismissed = page.locator("li.pick-dismissed")
    expect(dismissed).to_contain_text("fewer papers like")
    assert page.evaluate("window.stillThisPage === true")
    assert page.url == f"{demo_server}/for-you"

    dismissed.get_by_role("button", name="Undo").click()
    expect(page.locator("li.pick-dismissed")).to_have_count(0)
    expect(page.locator("ol.picks > li.card").first.locator(".card-title")).to_have_text(title)
    assert page.evaluate("window.stillThisPage === true")

    # Dismissed for good: after a reload it is not among the picks.
    page.locator("ol.picks > li.card").first.locator(".pick-why button").click()
    expect(page.locator("li.pick-dismissed")).to_have_count(1)
    page.reload()
    expect(page.locator("ol.picks .card-title", has_text=title)).to_have_count(0)


def test_following_an_author_shows_following_and_can_be_undone(demo_server, page):
    sign_up(page, demo_server, "follower")
    page.goto(f"{demo_server}/papers/0704.0001")
    page.evaluate("window.stillThisPage = true")
    page.get_by_text("Follow an author").click()
    page.select_option("#follow-name", "P. M. Nadolsky")
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.locator(".following-state")).to_contain_text("Following P. M. Nadolsky")
    assert page.evaluate("window.stillThisPage === true")
    page.reload()
    expect(page.locator(".following-state")).to_contain_text("Following P. M. Nadolsky")
    page.get_by_role("button", name="Unfollow P. M. Nadolsky").click()
    expect(page.locator(".following-state")).to_have_count(0)
    expect(page.get_by_text("Follow an author")).to_be_visible()
