"""The settings, digest and subscribe forms on a 390 px phone: nothing sticks out sideways,
checkboxes sit on their label's line, and the browser's time zone is offered."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import sign_up

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# Every element of the page's main part whose right edge passes the viewport's.
STICKING_OUT = """() => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''))"""

# For each checkbox of a .field-check: is it left of its label and on the label's first line?
CHECKBOX_LINES = """() => [...document.querySelectorAll('.field-check')].map(field => {
  const box = field.querySelector('input[type=checkbox]').getBoundingClientRect();
  const label = field.querySelector('label');
  const text = label.getBoundingClientRect();
  const line = parseFloat(getComputedStyle(label).lineHeight);
  const middle = box.top + box.height / 2;
  return {label: label.textContent.trim(), leftOfLabel: box.right <= text.left,
          onFirstLine: middle >= text.top && middle <= text.top + line};
})"""


@pytest.fixture
def phone(browser):
    # A reader in Tokyo: the digest page should offer that zone.
    context = browser.new_context(viewport=PHONE, timezone_id="Asia/Tokyo")
    yield context.new_page()
    context.close()


def assert_nothing_sticks_out(page) -> None:
    assert page.evaluate(STICKING_OUT) == [], page.url


def assert_checkboxes_on_their_label_lines(page) -> None:
    lines = page.evaluate(CHECKBOX_LINES)
    assert lines, f"no checkboxes on {page.url}"
    for line in lines:
        assert line["leftOfLabel"] and line["onFirstLine"], line


def test_subscribe_page_fits_a_phone(demo_server, phone):
    phone.goto(f"{demo_server}/subscribe")
    assert_nothing_sticks_out(phone)
    # Logged out, the header too fits: the page as a whole does not scroll sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_checkboxes_on_their_label_lines(phone)
    daily = phone.get_by_role("radio", name="Daily")
    expect(daily).to_be_checked()
    phone.get_by_text("Weekly", exact=True).click()
    expect(phone.get_by_role("radio", name="Weekly")).to_be_checked()


def test_settings_and_digest_pages_fit_a_phone_and_suggest_the_browsers_zone(demo_server, phone):
    sign_up(phone, demo_server, "phonereader")
    phone.goto(f"{demo_server}/settings/personal")
    expect(phone.get_by_label("How close a match")).to_have_value("0.5")
    assert_nothing_sticks_out(phone)

    phone.goto(f"{demo_server}/settings/digest")
    phone.get_by_role("button", name="Subscribe").click()
    zone = phone.get_by_label("Time zone")
    # The reader never chose one: the browser's zone is selected and the page says so.
    expect(zone).to_have_value("Asia/Tokyo")
    expect(phone.get_by_role("status").filter(has_text="Asia/Tokyo")).to_be_visible()
    assert_nothing_sticks_out(phone)
    assert_checkboxes_on_their_label_lines(phone)

    phone.get_by_label("Send at").select_option("8")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("Saved.")).to_be_visible()
    # Saved, the zone is the reader's choice now: shown as stored, no suggestion on top.
    phone.reload()
    expect(phone.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
    expect(phone.get_by_label("Send at")).to_have_value("8")
    expect(phone.locator(".field-note")).to_have_count(0)

    phone.goto(f"{demo_server}/settings/account")
    assert_nothing_sticks_out(phone)
