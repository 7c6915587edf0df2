"""A person's first visit: browse days, open a paper, search; nothing hostile ever runs."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import HOSTILE_DAY, HOSTILE_ID

pytestmark = pytest.mark.browser

SWAN = "SWAN: SGD with Normalization and Whitening Enables Stateless LLM Training"


def test_browse_days_open_a_paper_and_search(demo_server, page):
    page.goto(f"{demo_server}/papers")
    expect(page.locator(".card").first).to_be_visible()
    first_day = page.url

    page.locator('a[rel="prev"]').first.click()
    expect(page).to_have_url(re.compile(r"/papers/date/\d{4}-\d{2}-\d{2}$"))
    assert page.url != first_day
    page.locator('a[rel="next"]').first.click()
    expect(page.locator(".card").first).to_be_visible()

    page.goto(f"{demo_server}/papers/date/2024-12-17")
    page.get_by_role("link", name=SWAN).first.click()
    expect(page).to_have_url(f"{demo_server}/papers/2412.13148")
    expect(page.locator("h1")).to_contain_text("SWAN")

    search = page.get_by_role("searchbox", name="Search papers")
    search.fill("stateless optimizer")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/papers/search\?q=stateless\+optimizer"))
    result = page.get_by_role("link", name=re.compile("SWAN")).first
    expect(result).to_be_visible()
    result.click()
    expect(page).to_have_url(f"{demo_server}/papers/2412.13148")


def test_math_renders_and_hostile_text_stays_text(demo_server, page):
    page.goto(f"{demo_server}/papers/{HOSTILE_ID}")
    expect(page.locator("h1")).to_contain_text("<script>alert('title')</script>")
    expect(page.locator("h1 .katex").first).to_be_visible()  # $x^2$ in the title
    expect(page.locator(".katex")).to_have_count(3)  # title, $E = mc^2$ and \(a+b\) in the abstract
    page.goto(f"{demo_server}/papers/date/{HOSTILE_DAY}")
    expect(page.locator(".card").first).to_contain_text("Hostile")
    page.goto(f"{demo_server}/papers/search?q=hostile")
    expect(page.locator("mark").first).to_be_visible()
    assert page.dialogs == [], f"script ran: {page.dialogs}"
    assert page.locator("img[src=x]").count() == 0


def test_phone_layout_has_no_horizontal_scroll(demo_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{demo_server}/papers/date/2024-12-17")
    expect(page.locator(".card").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
