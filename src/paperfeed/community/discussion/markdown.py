"""Comment bodies: Markdown → sanitised HTML, rendered once when a comment is written.

The pipeline is markdown-it-py (CommonMark + tables + strikethrough, raw HTML off) with three
small plugins, then nh3 with an explicit allow-list, so whatever the parser lets through, only
the tags and attributes below reach a page:

- math: ``$…$`` and ``$$…$$`` are tokens of their own, parsed before emphasis, so the ``_`` and
  ``*`` of TeX never turn into <em>; they come out as ``<span class="math">$…$</span>`` with
  the TeX HTML-escaped, and KaTeX's auto-render (static/paperfeed/paperfeed.js renders every
  ``.math`` element, delimiters ``$``/``$$``) typesets them in the browser. Pandoc's rule keeps
  prices plain text: the opening ``$`` is followed by a non-space, the closing one preceded by
  a non-space and not followed by a digit ("$5 and $10" is not math).
- links: bare http(s) URLs become links, and so do arXiv ids ("2412.13148", "2412.13148v2",
  "arXiv:2412.13148", "hep-th/9901001") → /papers/<id>, except inside code and existing links.
- headings are shifted down to h3–h6: a comment sits under the page's h2 "Discussion".
"""

from __future__ import annotations

import html
import re

import nh3
from django.urls import reverse
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from paperfeed.papers.ids import parse_arxiv_id

MAX_LENGTH = 10_000

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "em", "strong", "s", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "span", "div",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_CLASSES = {"span": {"math", "math-display"}, "div": {"math", "math-display"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener noreferrer ugc"


# -- math ------------------------------------------------------------------------------------


def _math_inline(state: StateInline, silent: bool) -> bool:
    src, start = state.src, state.pos
    if src[start] != "$":
        return False
    display = src.startswith("$$", start)
    opener = "$$" if display else "$"
    begin = start + len(opener)
    if begin >= state.posMax or (not display and src[begin].isspace()):
        return False
    end = _closing_dollar(src, begin, state.posMax, opener)
    if end is None or not src[begin:end].strip():
        return False
    if not silent:
        token = state.push("math_display" if display else "math_inline", "span", 0)
        token.content = src[begin:end]
        token.markup = opener
    state.pos = end + len(opener)
    return True


def _closing_dollar(src: str, pos: int, limit: int, closer: str) -> int | None:
    """Index of the delimiter closing a formula whose TeX starts at `pos`, or None.

    The first unescaped delimiter decides (as in Pandoc): for inline math it must follow a
    non-space and not precede a digit, else the text is not math at all.
    """
    while pos + len(closer) <= limit:
        if src[pos] == "\\":
            pos += 2  # an escaped character, e.g. \$ inside the formula
            continue
        if src.startswith(closer, pos):
            if closer == "$" and (src[pos - 1].isspace() or src[pos + 1 : pos + 2].isdigit()):
                return None
            return pos
        pos += 1
    return None


def _math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A formula on lines of its own: a line starting with $$ up to a line ending with $$."""
    begin = state.bMarks[start_line] + state.tShift[start_line]
    first = state.src[begin : state.eMarks[start_line]]
    if state.sCount[start_line] - state.blkIndent >= 4 or not first.startswith("$$"):
        return False
    first = first[2:]
    lines: list[str] = []
    line = start_line
    if first.rstrip().endswith("$$") and first.strip() != "":
        lines.append(first.rstrip()[:-2])
        closed = True
    else:
        lines.append(first)
        closed = False
        while not closed:
            line += 1
            if line >= end_line:
                return False  # never closed: not a formula, let the paragraph rule have it
            text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
            if text.rstrip().endswith("$$"):
                lines.append(text.rstrip()[:-2])
                closed = True
            else:
                lines.append(text)
    content = "\n".join(lines).strip()
    if not content:
        return False
    if silent:
        return True
    state.line = line + 1
    token = state.push("math_block", "div", 0)
    token.content = content
    token.markup = "$$"
    token.map = [start_line, state.line]
    return True


def _render_math(renderer, tokens, idx, options, env) -> str:
    token = tokens[idx]
    tex = html.escape(token.content, quote=False)
    if token.type == "math_inline":
        return f'<span class="math">${tex}$</span>'
    if token.type == "math_display":
        return f'<span class="math math-display">$${tex}$$</span>'
    return f'<div class="math math-display">$${tex}$$</div>\n'


# -- links to papers and bare URLs -------------------------------------------------------------

_URL = r"https?://[^\s<>\"'`]+"
_NEW_ID = r"\d{4}\.\d{4,5}(?:v\d{1,3})?"
_OLD_ID = r"[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7}(?:v\d{1,3})?"
# An id stands alone: not glued to a word, a path or a number on either side.
_REFERENCE = re.compile(
    rf"(?P<url>{_URL})"
    rf"|(?<![\w/.:-])(?P<id>(?:arxiv:\s?)?(?:{_NEW_ID}|{_OLD_ID}))(?![\w/-]|\.\d)",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'"


def _link_references(state) -> None:
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        in_link = 0
        for token in block.children:
            if token.type == "link_open":
                in_link += 1
            elif token.type == "link_close":
                in_link -= 1
            if token.type == "text" and not in_link:
                children.extend(_split_references(token, state))
            else:
                children.append(token)
        block.children = children


def _split_references(token: Token, state) -> list[Token]:
    text = token.content
    out: list[Token] = []
    last = 0
    for m in _REFERENCE.finditer(text):
        if m.group("url"):
            shown = m.group("url").rstrip(_TRAILING)
            # Keep a closing parenthesis that belongs to the URL: "https://x.org/a_(b)".
            while text[m.start() + len(shown) : m.start() + len(shown) + 1] == ")" and shown.count(
                "("
            ) > shown.count(")"):
                shown += ")"
            href = shown
            if not state.md.validateLink(href):
                continue
        else:
            shown = m.group("id")
            parsed = parse_arxiv_id(re.sub(r"\s", "", shown))
            if parsed is None:
                continue
            href = reverse("paper-detail", args=[parsed.id])
        if m.start() > last:
            out.append(_text(text[last : m.start()]))
        link = Token("link_open", "a", 1)
        link.attrs = {"href": href}
        out.extend([link, _text(shown), Token("link_close", "a", -1)])
        last = m.start() + len(shown)
    if not out:
        return [token]
    if last < len(text):
        out.append(_text(text[last:]))
    return out


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


# -- headings --------------------------------------------------------------------------------

_HEADING_LEVELS = {"h1": "h3", "h2": "h4", "h3": "h5", "h4": "h6", "h5": "h6", "h6": "h6"}


def _shift_headings(state) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = _HEADING_LEVELS[token.tag]


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    # Images would let any comment load pixels from anywhere (tracking); "![alt](url)" stays a link.
    md.disable("image")
    md.inline.ruler.before("escape", "math_inline", _math_inline)
    md.block.ruler.before("fence", "math_block", _math_block, {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.core.ruler.push("link_references", _link_references)
    md.core.ruler.push("shift_headings", _shift_headings)
    for kind in ("math_inline", "math_display", "math_block"):
        md.add_render_rule(kind, _render_math)
    return md


_MD = _parser()


# As in papers/templatetags/paper_tags.py: a scheme that runs code, left as text (a link to it
# was already refused), gets its colon as an entity, so the page never holds "javascript:".
_SCRIPT_SCHEME = re.compile(r"\b(javascript|vbscript|data)(\s*):", re.IGNORECASE)


def render_markdown(text: str) -> str:
    """Sanitised HTML for a comment body (safe to mark safe in a template)."""
    raw = _MD.render(text)
    clean = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        clean_content_tags={"script", "style"},
        strip_comments=True,
    )
    return _SCRIPT_SCHEME.sub(r"\1\2&#58;", clean).strip()
