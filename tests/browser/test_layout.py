"""The page frame in a real browser: a one-row header whose height does not depend on being
logged in, phones that never scroll sideways, the menu button, and the keyboard shortcuts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "a long and unusual passphrase 43"
# Pages that once scrolled sideways on phones (a long code path, a form in a grid) among others.
PHONE_PAGES = ["/papers/date/2024-10-25", "/papers/trending", "/papers/search?q=diffusion", "/papers/2410.18693",
               "/organizations", "/collections", "/api/docs"]


@pytest.fixture(scope="module")
def reader_state(demo_server, browser):
    """A signed-up reader's cookies, with a long name: the header must hold it in one row."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{demo_server}/signup")
    page.fill("#id_username", "a_reader_with_a_rather_long_name")
    page.fill("#id_email", "layout-reader@example.org")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".user-menu-details")).to_have_count(1)
    state = context.storage_state()
    context.close()
    return state


def header_height(page) -> float:
    return page.locator(".site-header").bounding_box()["height"]


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("width", [1024, 1280, 1600])
def test_the_header_is_one_row_logged_in_or_out(demo_server, browser, reader_state, width):
    heights = []
    for state in (None, reader_state):
        context = browser.new_context(viewport={"width": width, "height": 800}, storage_state=state)
        page = context.new_page()
        page.goto(f"{demo_server}/papers/date/2024-10-25")
        heights.append(header_height(page))
        # One row: the brand, the navigation, the search and the account sit on the same line.
        tops = [page.locator(selector).bounding_box()["y"] for selector in (".brand", ".site-nav", ".header-search input", ".user-menu")]
        assert max(tops) - min(tops) < 20, tops
        expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Submit")).to_be_visible()
        context.close()
    assert heights[0] == heights[1] and heights[0] < 64, heights


@pytest.mark.parametrize("width", [360, 390])
def test_phones_never_scroll_sideways_and_the_navigation_is_in_a_menu(demo_server, browser, reader_state, width):
    heights = []
    for state in (None, reader_state):
        context = browser.new_context(viewport={"width": width, "height": 800}, storage_state=state)
        page = context.new_page()
        for path in PHONE_PAGES:
            page.goto(f"{demo_server}{path}")
            assert scroll_width(page) <= width, (path, scroll_width(page))
        heights.append(header_height(page))
        submit = page.get_by_role("link", name="Submit", exact=True)
        expect(submit).to_be_hidden()
        page.get_by_label("Menu", exact=True).click()
        expect(submit).to_be_visible()
        submit.click()
        expect(page).to_have_url(re.compile(r"/papers/submit$"))
        context.close()
    assert heights[0] == heights[1], heights


# The width of each card's title as a share of its card's, on a list page.
TITLE_SHARES = """() => [...document.querySelectorAll('main .card')].map(card => {
  const title = card.querySelector('.card-heading');
  return title ? title.getBoundingClientRect().width / card.getBoundingClientRect().width : 1;
})"""


@pytest.mark.parametrize("path", ["/papers/date/2024-10-25", "/papers/trending", "/for-you", "/papers/search?q=reasoning"])
def test_phone_cards_keep_their_titles_readable(demo_server, browser, reader_storage_state, path):
    """Beside the upvote box the title takes the rest of the row; nothing a page adds to a card
    (For you's why line once squeezed titles to one letter a line) may narrow it."""
    context = browser.new_context(viewport={"width": 390, "height": 800}, storage_state=reader_storage_state)
    page = context.new_page()
    page.goto(f"{demo_server}{path}")
    shares = page.evaluate(TITLE_SHARES)
    context.close()
    assert shares and min(shares) > 0.6, (path, shares)


def test_the_account_menu_lists_the_readers_pages(demo_server, browser, reader_state):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, storage_state=reader_state)
    page = context.new_page()
    page.goto(f"{demo_server}/papers")
    page.get_by_label(re.compile("Account menu")).click()
    panel = page.locator(".user-menu-panel")
    for name in ("Profile", "For you", "Collections", "Interests & mutes", "Digest", "Settings"):
        expect(panel.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(panel.get_by_role("button", name="Log out")).to_be_visible()
    page.keyboard.press("Escape")  # closes like a menu (with scripts)
    expect(panel).to_be_hidden()
    context.close()


def test_keyboard_shortcuts(demo_server, page):
    page.goto(f"{demo_server}/papers/date/2024-10-25")
    titles = page.locator(".card .card-title")
    page.keyboard.press("j")
    expect(titles.nth(0)).to_be_focused()
    page.keyboard.press("j")
    expect(titles.nth(1)).to_be_focused()
    page.keyboard.press("k")
    expect(titles.nth(0)).to_be_focused()

    page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()

    # Typing in the search box types; it does not move between days.
    search = page.get_by_role("searchbox", name="Search papers")
    search.press("j")
    search.press("ArrowLeft")
    expect(search).to_have_value("j")
    expect(page).to_have_url(re.compile(r"/papers/date/2024-10-25$"))

    search.blur()
    page.keyboard.press("ArrowLeft")
    expect(page).to_have_url(re.compile(r"/papers/date/2024-10-24$"))
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(re.compile(r"/papers/date/2024-10-25$"))
