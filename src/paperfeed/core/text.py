"""Text that can be stored and shown: the one rule for what comes in, from sources and requests.

Kept: every character a person may write, including tab and line breaks. Dropped: the other
C0 controls and NUL (PostgreSQL refuses NUL in text, XML — the Atom feeds — cannot carry any
of them), DEL and the C1 controls (no writer means them; they come from mis-decoded bytes),
and U+FFFE/U+FFFF (XML non-characters). Replaced: lone surrogates, which only a JSON escape
such as "\\udc80" or a broken source can produce and no encoder accepts, become U+FFFD, so
the reader sees that a character was lost where it was.

One str.translate does it all: several times faster than regular expressions, which matters
because it runs on every field of every record of multi-million-line snapshots.
"""

from __future__ import annotations

_DROPPED = [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0), 0xFFFE, 0xFFFF]
VALID_TEXT_TABLE = {c: None for c in _DROPPED} | {c: "\ufffd" for c in range(0xD800, 0xE000)}


def valid_text(value: object) -> str:
    """`value` as text any database, page and feed can carry (see the module's docstring)."""
    return str(value).translate(VALID_TEXT_TABLE)
