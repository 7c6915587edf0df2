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


# Common English function words. Dropping them from keyword queries barely changes ranking
# (BM25 gives them almost no weight) but makes an OR query two to three times faster.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not of off on once only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your yours yourself yourselves""".split()
)


def keywords(text: str) -> list[str]:
    """The query's distinct words without stopwords (all its words if only stopwords)."""
    seen: dict[str, str] = {}
    for word in tokens(text):
        seen.setdefault(word.lower(), word)
    kept = [w for key, w in seen.items() if key not in STOPWORDS]
    return kept or list(seen.values())
