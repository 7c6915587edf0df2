"""Snippets with highlighted matches, made safe for HTML."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from paperfeed.search.engines.base import MARK_END, MARK_START


def highlighted_html(text: str) -> SafeString:
    """Escape everything the paper's text holds, then turn the engine's markers into <mark>."""
    escaped = escape(text.replace("<mark>", "").replace("</mark>", ""))
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))
