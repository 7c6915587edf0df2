"""What the browser tests measure on a page: axe-core's WCAG findings and the header's layout.

Each function returns a list of problems in words a person can act on (rule, element, numbers),
so that one failing assertion says everything that is wrong with a page.
"""

from __future__ import annotations

from pathlib import Path

AXE_SOURCE = Path(__file__).with_name("vendor").joinpath("axe-core", "axe.min.js")

# WCAG 2.0, 2.1 and 2.2 at levels A and AA: what the issue asks for. axe's "best-practice"
# rules (heading order, landmarks) are left out here; they have impact "moderate" at most.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
NODES_SHOWN = 6  # per rule; the rest are counted
# The "heading levels skip": axe files these under best practice, not WCAG.
HEADING_RULES = ["heading-order", "page-has-heading-one"]


def install_axe(context) -> None:
    """Every page of `context` gets axe-core before its own scripts (init scripts are not
    subject to the page's Content-Security-Policy, a <script> tag would be)."""
    context.add_init_script(path=str(AXE_SOURCE))


def axe_violations(page, rules: list[str] | None = None) -> list[str]:
    """Serious and critical WCAG 2 A/AA violations on the page as it is now, one line per element;
    with `rules`, every violation of just those rules whatever its impact."""
    if rules:
        return describe_violations(run_axe(page, only_rules=rules))
    return wcag_problems(run_axe(page))


def run_axe(page, only_rules: list[str] | None = None, also_rules: list[str] = ()) -> list[dict]:
    """axe-core's violations on the page as it is now: of the WCAG 2 A/AA rules plus
    `also_rules`, or of `only_rules` alone. One run can answer two checks (the WCAG
    rules and the heading rules), so a page is loaded and analysed once for both."""
    options: dict = {"resultTypes": ["violations"]}
    if only_rules:
        options["runOnly"] = {"type": "rule", "values": only_rules}
    else:
        options["runOnly"] = {"type": "tag", "values": WCAG_TAGS}
        # axe runs rules enabled here in addition to those of the tags (axe-core's API, `rules`).
        options["rules"] = {rule: {"enabled": True} for rule in also_rules}
    return page.evaluate("async (options) => (await axe.run(document, options)).violations", options)


def wcag_problems(violations: list[dict]) -> list[str]:
    """The serious and critical violations of WCAG 2 A/AA rules among `violations`."""
    return describe_violations(
        [rule for rule in violations if set(rule["tags"]) & set(WCAG_TAGS) and rule["impact"] in BLOCKING_IMPACTS]
    )


def rule_problems(violations: list[dict], rules: list[str]) -> list[str]:
    """Every violation of `rules` among `violations`, whatever its impact."""
    return describe_violations([rule for rule in violations if rule["id"] in rules])


def describe_violations(violations: list[dict]) -> list[str]:
    problems = []
    for rule in violations:
        nodes = rule["nodes"]
        problems.append(f"{rule['id']} ({rule['impact']}, {len(nodes)} element(s)): {rule['help']}")
        for node in nodes[:NODES_SHOWN]:
            problems.append(f"    {' '.join(map(str, node['target']))}{_contrast(node)}")
        if len(nodes) > NODES_SHOWN:
            problems.append(f"    … and {len(nodes) - NODES_SHOWN} more")
    return problems


def _contrast(node: dict) -> str:
    for check in node.get("any", []):
        data = check.get("data")
        if check.get("id") == "color-contrast" and isinstance(data, dict) and data.get("contrastRatio"):
            return (
                f" — {data['contrastRatio']}:1, needs {data.get('expectedContrastRatio')}"
                f" ({data.get('fgColor')} on {data.get('bgColor')}, {data.get('fontSize')}"
                f" {data.get('fontWeight')})"
            )
    return ""


def sideways_scroll(page) -> str | None:
    """Whether the page is wider than the window (it would scroll sideways)."""
    widths = page.evaluate(
        """() => {
            const limit = document.documentElement.clientWidth + 0.5;
            const out = e => e.checkVisibility({visibilityProperty: true}) && e.getBoundingClientRect().right > limit;
            const describe = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                + (typeof e.className === "string" && e.className.trim() ? "." + e.className.trim().split(/\\s+/).join(".") : "");
            // The outermost elements that stick out: their parent fits.
            const culprits = [...document.querySelectorAll("body *")].filter(e => out(e) && !out(e.parentElement));
            return {scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
                    widest: culprits.slice(0, 4).map(describe)};
        }"""
    )
    if widths["scroll"] <= widths["client"]:
        return None
    return (
        f"scrolls sideways: {widths['scroll']} px wide in a {widths['client']} px window"
        f" (sticking out: {', '.join(widths['widest']) or 'unknown'})"
    )


HEADER_LAYOUT = """() => {
    const header = document.querySelector("body header");
    if (!header) return null;
    // Everything a person can see and use in the header: links, buttons, inputs, menu toggles.
    // checkVisibility: the content of a closed <details> menu keeps a box but is not rendered.
    // Visually hidden text (a 1 px clip) is not part of the row either.
    const shown = e => {
        const box = e.getBoundingClientRect();
        return box.width > 1 && box.height > 1 && e.checkVisibility({visibilityProperty: true});
    };
    const controls = [...header.querySelectorAll("a, button, input, select, summary")].filter(shown)
        .map(e => {const b = e.getBoundingClientRect();
                   return {name: (e.getAttribute("aria-label") || e.textContent || e.placeholder || e.tagName).trim().slice(0, 30),
                           top: b.top, bottom: b.bottom}});
    return {height: header.getBoundingClientRect().height, controls};
}"""


def header_layout(page) -> dict:
    """The header's height and the vertical extent of every visible control in it."""
    layout = page.evaluate(HEADER_LAYOUT)
    assert layout is not None, f"{page.url} has no <header>"
    return layout


def header_rows_problem(layout: dict) -> str | None:
    """None when every visible header control shares one row (their vertical extents overlap)."""
    controls = layout["controls"]
    if not controls:
        return None
    lowest_top = max(controls, key=lambda c: c["top"])
    highest_bottom = min(controls, key=lambda c: c["bottom"])
    if lowest_top["top"] < highest_bottom["bottom"]:
        return None
    return (
        f"header has more than one row ({layout['height']:.0f} px tall): "
        f"{lowest_top['name']!r} starts at {lowest_top['top']:.0f} px, below the bottom of "
        f"{highest_bottom['name']!r} at {highest_bottom['bottom']:.0f} px"
    )


# Content-Security-Policy violations (paperfeed/csp.py): the browser fires
# `securitypolicyviolation` for everything the policy blocked — an inline script or style
# attribute, an eval, an image from another host. The listener is in every page of a context
# before the page's own scripts, and reports through a binding, so nothing is lost when the
# page navigates away.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__pfCspViolation(e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + (e.sourceFile || location.pathname) + ":" + e.lineNumber + " (page " + location.pathname + ")");
});
"""


def watch_csp(context) -> list[str]:
    """Collects every CSP violation in the pages of `context`, in words; returns the live list."""
    found: list[str] = []
    context.expose_binding("__pfCspViolation", lambda source, text: found.append(text))
    context.add_init_script(CSP_LISTENER)
    return found
