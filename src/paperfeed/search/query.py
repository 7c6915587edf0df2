"""Turning what a person typed into something safe for a full-text engine.

User text never reaches FTS syntax: it is cut into word tokens, and each token is quoted,
so `"AND OR NEAR(`, `'; DROP TABLE` or a lone quote are just words to look for.
"""

from __future__ import annotations

import re
import unicodedata

MAX_QUERY_CHARS = 1_000  # longer input is cut, not rejected: a pasted abstract still searches
MAX_TOKENS = 32  # bounds the work per query whatever was pasted

# Word characters in any script; CJK and emoji-free text both tokenise to something useful.
_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text or "")[:MAX_QUERY_CHARS]
    return _TOKEN.findall(text)[:MAX_TOKENS]


def fts5_match(words: list[str], operator: str = "AND") -> str:
    """An FTS5 MATCH expression: every word a quoted string, joined by AND or OR."""
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    return f" {operator} ".join(quoted)
