"""Every HTML page of the site, logged in and out: it fits a phone and a desktop window, the header
is one row of the same height either way, and axe-core finds no serious or critical WCAG 2 A/AA
violation in the light or the dark colour scheme.

One Chromium, one context per visitor (logged out, the read-only "reader") for the whole module;
each test sets the window and colour scheme it needs, so tests run in any order.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from .checks import (
    HEADING_RULES,
    header_layout,
    header_rows_problem,
    install_axe,
    rule_problems,
    run_axe,
    sideways_scroll,
    watch_csp,
    wcag_problems,
)
from .conftest import HOSTILE_ID, READER

pytestmark = pytest.mark.browser

DESKTOP, PHONE = 1280, 390
ONE_ROW_WIDTHS = (1024, 1280, 1600)
HEIGHT = 900


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # may hold {comment}: the reader's comment id
    signed_in_only: bool = False  # logged out it only redirects to the log-in page

    def url(self, site) -> str:
        return site.url + self.path.format(comment=site.reader_comment_id)


PAGES = [
    Page("day-list", "/papers"),
    Page("date", "/papers/date/2024-10-25"),
    Page("week", "/papers/week/2024-W43"),
    Page("month", "/papers/month/2024-10"),
    Page("trending", "/papers/trending"),
    Page("paper", "/papers/2410.18693"),
    Page("paper-hostile-math", f"/papers/{HOSTILE_ID}"),
    Page("search-results", "/papers/search?q=stateless+optimizer"),
    Page("search-none", "/papers/search?q=zxqvbn+flurble+grommet"),
    Page("submit", "/papers/submit", signed_in_only=True),
    Page("organizations", "/organizations"),
    Page("organization", "/organizations/facebook"),
    Page("collections", "/collections", signed_in_only=True),
    Page("collection", f"/collections/{READER}/reading-list"),
    Page("save-to-collection", "/papers/2410.18693/save", signed_in_only=True),
    Page("comment-edit", "/comments/{comment}/edit", signed_in_only=True),
    Page("profile", f"/users/{READER}"),
    Page("login", "/login"),
    Page("signup", "/signup"),
    Page("logout", "/logout", signed_in_only=True),
    Page("password-reset", "/password-reset"),
    Page("password-reset-sent", "/password-reset/sent"),
    Page("password-reset-bad-link", "/password-reset/MQ/bad-token"),
    Page("password-reset-done", "/password-reset/done"),
    Page("for-you", "/for-you", signed_in_only=True),
    Page("account-settings", "/settings/account", signed_in_only=True),
    Page("personal-settings", "/settings/personal", signed_in_only=True),
    Page("digest-settings", "/settings/digest", signed_in_only=True),
    Page("subscribe", "/subscribe"),
    Page("subscribe-bad-link", "/subscribe/confirm/not-a-token"),
    Page("unsubscribe-bad-link", "/unsubscribe/not-a-token"),
    Page("digest-daily", "/digests/daily/2024-10-25"),
    Page("digest-weekly", "/digests/weekly/2024-W43"),
    Page("api-docs", "/api/docs"),
    Page("not-found", "/no-such-page"),
]

# Named routes that answer no HTML page of their own. (A name here whose route does not exist
# is harmless: it lets a branch that adds such a route merge in any order.)
NOT_PAGES = {
    "paper-markdown": "text/markdown",
    "upvote": "POST only",
    "comment-create": "POST only",
    "comment-delete": "POST only",
    "claim-paper": "POST only (its form is on the paper page)",
    "collection-edit": "POST only (its form is on the collection page)",
    "collection-delete": "POST only",
    "collection-remove-item": "POST only",
    "not-interested": "POST only",
    "personal-update": "POST only",
    "personal-feed": "Atom / JSON Feed",
    "feed-daily-syndication": "Atom / JSON Feed",
    "feed-trending-syndication": "Atom / JSON Feed",
    "feed-search-syndication": "Atom / JSON Feed",
    "feed-category-syndication": "Atom / JSON Feed",
    "health": "plain text for monitors",
    "security-txt": "plain text for security researchers (RFC 9116)",
    "thumbnail": "a WebP image (a paper's first page)",
}


def _visitors(page: Page) -> list[str]:
    return ["reader"] if page.signed_in_only else ["visitor", "reader"]


@pytest.fixture(scope="module")
def tabs(browser, demo_site, reader_storage_state):
    """One tab per visitor, axe-core preloaded, kept for the whole module."""
    contexts = {
        "visitor": browser.new_context(viewport={"width": DESKTOP, "height": HEIGHT}),
        "reader": browser.new_context(viewport={"width": DESKTOP, "height": HEIGHT}, storage_state=reader_storage_state),
    }
    tabs = {}
    for who, context in contexts.items():
        install_axe(context)
        violations = watch_csp(context)
        tabs[who] = context.new_page()
        tabs[who].csp_violations = violations
    yield tabs
    for context in contexts.values():
        context.close()


def _open(tab, url: str, width: int = DESKTOP, scheme: str = "light") -> None:
    tab.set_viewport_size({"width": width, "height": HEIGHT})
    tab.emulate_media(color_scheme=scheme)
    tab.goto(url, wait_until="load")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_fits_phone_and_desktop_with_a_one_row_header(page, tabs, demo_site):
    """…and the browser blocks nothing under the Content-Security-Policy while showing it
    (checked here rather than in a pass of its own: each page is opened once for both)."""
    problems, heights = [], {}
    for who in _visitors(page):
        tab = tabs[who]
        tab.csp_violations.clear()
        _open(tab, page.url(demo_site))
        assert "/login" not in tab.url or page.name == "login", f"{who} was sent to {tab.url}"
        for width in ONE_ROW_WIDTHS:
            tab.set_viewport_size({"width": width, "height": HEIGHT})
            layout = header_layout(tab)
            if width == DESKTOP:
                heights[who] = layout["height"]
            if problem := header_rows_problem(layout):
                problems.append(f"{who} at {width} px: {problem}")
        for width in (DESKTOP, PHONE):
            tab.set_viewport_size({"width": width, "height": HEIGHT})
            if problem := sideways_scroll(tab):
                problems.append(f"{who} at {width} px: {problem}")
        problems.extend(f"{who}: Content-Security-Policy: {violation}" for violation in tab.csp_violations)
    if len(set(heights.values())) > 1:
        problems.append(
            "header height differs at 1280 px: " + ", ".join(f"{who} {h:.0f} px" for who, h in heights.items())
        )
    assert not problems, f"{page.path}:\n" + "\n".join(problems)


# What the heading rules found on each page, from the light-scheme axe run of the test below:
# the headings test reads it instead of loading and analysing the same page again (~1 s of
# Chromium each). A headings test whose page was not analysed yet (run alone, or with -k)
# loads the page itself.
_HEADINGS_FOUND: dict[str, list[str]] = {}


def _headings_visitor(page: Page) -> str:
    return _visitors(page)[-1]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_has_no_serious_accessibility_violations(page, scheme, tabs, demo_site):
    problems = []
    for who in _visitors(page):
        tab = tabs[who]
        _open(tab, page.url(demo_site), scheme=scheme)
        headings_too = scheme == "light" and who == _headings_visitor(page)
        violations = run_axe(tab, also_rules=HEADING_RULES if headings_too else ())
        if headings_too:
            _HEADINGS_FOUND[page.name] = rule_problems(violations, HEADING_RULES)
        if found := wcag_problems(violations):
            problems.append(f"{who}:")
            problems.extend(f"  {line}" for line in found)
    assert not problems, f"axe-core on {page.path} ({scheme}):\n" + "\n".join(problems)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_headings_do_not_skip_levels(page, tabs, demo_site):
    """One h1, then no jump from h1 to h3 (axe's best-practice heading rules, any impact)."""
    who = _headings_visitor(page)
    found = _HEADINGS_FOUND.pop(page.name, None)
    if found is None:
        _open(tabs[who], page.url(demo_site))
        found = rule_problems(run_axe(tabs[who], only_rules=HEADING_RULES), HEADING_RULES)
    assert not found, f"headings on {page.path} ({who}):\n" + "\n".join(found)


def test_every_html_route_is_in_the_list_above():
    """A new page route fails here until it is added to PAGES (or to NOT_PAGES, with why)."""
    from django.urls import URLPattern, URLResolver, get_resolver, resolve

    def names(patterns, namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":  # Django's own admin site, not paperfeed's pages
                    continue
                yield from names(entry.url_patterns, namespace + (f"{entry.namespace}:" if entry.namespace else ""))
            elif isinstance(entry, URLPattern) and entry.name:
                yield namespace + entry.name

    routes = set(names(get_resolver().url_patterns))
    routes = {name for name in routes if not name.startswith("api-") or name == "api-docs"}  # the JSON API
    listed = set()
    for page in PAGES:
        if page.name != "not-found":
            listed.add(resolve(page.path.format(comment=1).split("?")[0]).url_name)
    missing = routes - listed - set(NOT_PAGES)
    assert not missing, f"page routes no browser test visits: {sorted(missing)} — add them to PAGES or NOT_PAGES"
