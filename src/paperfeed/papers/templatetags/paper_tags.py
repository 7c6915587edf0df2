"""Template filters for paper pages, cards and the Markdown view.

Every filter that returns HTML escapes the paper's text itself first: titles, abstracts,
comments and names come from outside and may hold markup or scripts.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from paperfeed.core.page_cache import shared_fragment

register = template.Library()


# Context that makes a card differ from the same paper's card elsewhere (search highlights,
# a collection's note, a For you pick): such cards are rendered, never shared.
_OWN_CARD_CONTEXT = ("title_html", "snippet_html", "note", "pick", "collection")


class CardFragmentNode(template.Node):
    def __init__(self, name: str, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context) -> str:
        request = getattr(context, "request", None)
        if request is None or any(context.get(name) for name in _OWN_CARD_CONTEXT):
            return self.nodelist.render(context)
        paper, entry = context.get("paper"), context.get("entry")
        match = getattr(request, "resolver_match", None)
        key = (
            "card",
            self.name,
            getattr(paper, "pk", None),
            getattr(entry, "pk", None),
            bool(context.get("show_trending_why")),
            getattr(match, "url_name", None),
        )
        return shared_fragment(request, key, lambda: self.nodelist.render(context))


@register.tag
def card_fragment(parser, token):
    """{% card_fragment "name" %}…{% endcard_fragment %}: a part of a card that is the same
    for every reader (no vote, no save), rendered once per page generation for signed-in
    readers' pages (core/page_cache.shared_fragment); elsewhere it renders as it stands."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("card_fragment takes one name")
    nodelist = parser.parse(("endcard_fragment",))
    parser.delete_first_token()
    return CardFragmentNode(bits[1].strip("\"'"), nodelist)

# -- links ---------------------------------------------------------------------------------

_HTTP = re.compile(r"^https?://[^\s<>\"'`]+$", re.IGNORECASE)


@register.filter
def http_url(value: object) -> str:
    """The URL when it is an absolute http(s) URL, else "": never link javascript:, data:, …"""
    url = str(value or "").strip()
    return url if _HTTP.match(url) else ""


@register.filter
def compact_count(value: object) -> str:
    """A count as cards show it: 950, 1.2k, 12k, 1.3M; "" when there is no count."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return ""
    if number < 0:
        return ""
    for limit, suffix in ((1_000_000, "M"), (1_000, "k")):
        if number >= limit:
            scaled = number / limit
            text = f"{scaled:.1f}".rstrip("0").rstrip(".") if scaled < 10 else str(int(scaled))
            return text + suffix
    return str(number)


# A scheme that runs code when linked; its colon is written as an entity so the page source
# never holds "javascript:" even as text (it still reads the same).
_SCRIPT_SCHEME = re.compile(r"\b(javascript|vbscript|data)(\s*):", re.IGNORECASE)
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'"


def _inert(text: str) -> str:
    return _SCRIPT_SCHEME.sub(r"\1\2&#58;", escape(text))


@register.filter
def linkify(value: object) -> SafeString:
    """Free text (comments) as HTML: everything escaped, http(s) URLs made into links."""
    text = str(value or "")
    out: list[str] = []
    last = 0
    for m in _URL_IN_TEXT.finditer(text):
        url = m.group(0).rstrip(_TRAILING)
        # Keep a closing parenthesis that belongs to the URL: "https://x.org/a_(b)".
        while m.group(0)[len(url) : len(url) + 1] == ")" and url.count("(") > url.count(")"):
            url += ")"
        out.append(_inert(text[last : m.start()]))
        out.append(f'<a href="{escape(url)}" rel="nofollow noopener noreferrer">{escape(url)}</a>')
        last = m.start() + len(url)
    out.append(_inert(text[last:]))
    return mark_safe("".join(out))


# -- text ----------------------------------------------------------------------------------


@register.filter
def paragraphs(value: object) -> list[str]:
    """An abstract's paragraphs (stored separated by blank lines)."""
    return [p.strip() for p in re.split(r"\n\s*\n", str(value or "")) if p.strip()]


_MATH_OPEN = re.compile(r"\$\$|\$|\\\(|\\\[")
_CLOSE = {"$$": "$$", "$": "$", "\\(": "\\)", "\\[": "\\]"}


def _cut_open_math(text: str) -> str:
    """Drop a formula the truncation cut in half, so no stray "$x^" is left on the card."""
    i = 0
    while True:
        m = _MATH_OPEN.search(text, i)
        if m is None:
            return text
        if m.start() > 0 and text[m.start() - 1] == "\\" and m.group(0).startswith("$"):
            i = m.end()  # an escaped dollar sign: "\$5"
            continue
        close = text.find(_CLOSE[m.group(0)], m.end())
        if close == -1:
            return text[: m.start()].rstrip() + "…"
        i = close + len(_CLOSE[m.group(0)])


@register.filter
def excerpt(value: object, length: int = 280) -> str:
    """The start of an abstract for a card: Django's truncatechars, never mid-formula."""
    text = " ".join(str(value or "").split())
    short = Truncator(text).chars(int(length))
    return short if short == text else _cut_open_math(short)


_SUFFIXES = {"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV"}


def byline_names(authors_text: str) -> list[str]:
    """Names from the stored byline ("A, B, Smith, Jr."), keeping "Smith, Jr." whole."""
    names: list[str] = []
    for part in (authors_text or "").split(", "):
        part = part.strip()
        if not part:
            continue
        if names and part in _SUFFIXES:
            names[-1] = f"{names[-1]}, {part}"
        else:
            names.append(part)
    return names


@register.simple_tag
def author_preview(paper, shown: int = 3) -> dict:
    """For cards: the first few names and how many more, or only a count when names are unknown."""
    names = byline_names(paper.authors_text)
    total = max(len(names), paper.num_authors or 0)
    return {"names": names[:shown], "more": max(total - min(len(names), shown), 0), "total": total}


# -- Markdown ------------------------------------------------------------------------------

# A "<" that could open a tag or an autolink, with the backslashes before it: an odd run
# already escapes it, an even one (none included) does not, so one more is added then.
_MD_TAG = re.compile(r"(?<!\\)((?:\\\\)*)<(?=[A-Za-z/!?])")


@register.filter
def md_text(value: object) -> str:
    """Paper text for the Markdown view: readable as is, but no raw HTML tags, links or images
    that a Markdown renderer would act on. TeX backslashes and "&" are left alone.

    Links take one of three shapes, each broken by one backslash: inline "[text](url)" (the
    "(" after "]"), references "[text][label]" / "[label]", which need a definition
    "[label]: url" (the ":" after every "]", so no text defines a label, footnotes "[^1]:"
    included; and the "[" after "]"), and autolinks "<https://…>" (every "<" before a
    letter). Each backslash goes before the character it neutralises, right after a fixed
    one, so a backslash in the text cannot cancel it. A bare https://… stays as written: a
    renderer that links it shows the address itself, so it hides no target."""
    text = _MD_TAG.sub(r"\1\\<", str(value or ""))
    text = text.replace("](", "]\\(").replace("![", "!\\[")
    text = text.replace("]:", "]\\:").replace("][", "]\\[")
    return _SCRIPT_SCHEME.sub(r"\1\2\\:", text)


# -- BibTeX --------------------------------------------------------------------------------


def _bib_value(text: str) -> str:
    """A BibTeX field value: one line, braces balanced (unbalanced ones are dropped)."""
    text = " ".join(str(text or "").split())
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            break
    return text if depth == 0 else text.replace("{", "").replace("}", "")


@register.filter
def bibtex(paper, authors=None) -> str:
    """An arXiv-style @misc entry, as plain text (the template escapes it)."""
    names = list(authors or []) or byline_names(paper.authors_text)
    fields = [("title", _bib_value(paper.title))]
    if names:
        fields.append(("author", " and ".join(_bib_value(n) for n in names)))
    if paper.published:
        fields.append(("year", str(paper.published.year)))
    fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv")]
    if paper.primary_category_id:
        fields.append(("primaryClass", paper.primary_category.code))
    if paper.doi:
        fields.append(("doi", _bib_value(paper.doi)))
    fields.append(("url", paper.abs_url))
    body = ",\n".join(f"  {key:<13} = {{{value}}}" for key, value in fields)
    return f"@misc{{{paper.arxiv_id},\n{body}\n}}"


@register.simple_tag(takes_context=True)
def page_query(context, number: int) -> str:
    """"?…" for page `number` of the current list, keeping every other query parameter
    (a search's words and filters, a profile's tab, `muted=show`), so paging never drops them."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else None
    if query is None:
        return f"?p={number}"
    query["p"] = str(number)
    return "?" + query.urlencode()
