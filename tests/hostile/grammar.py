"""The hostile strings, numbers and JSON bodies the hostile-input test sends (Hypothesis strategies).

Drawn from a fixed list of known troublemakers, their pairs, and short random text over the
whole of Unicode (lone surrogates and control characters included), so both the classic
cases and the odd mixture are tried.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

BIG = "x" * 100_000
DEEP_JSON = "[" * 100_000

FAR_DATES = [
    "9999-12-31", "9999-W52", "9999-W53", "9999-12", "0001-01-01", "0001-W01", "0001-01", "0000-01-01",
    "0000-W01", "0000-00", "1899-12-31", "3000-01-01", "2024-02-30", "2024-W54", "2024-13",
    "\u0662\u0660\u0662\u0664-\u0661\u0660-\u0662\u0665",  # 2024-10-25 in Arabic-Indic digits
    "2024-10-25\n",
]
NUMBERS = ["1e309", "-1e309", "-0", "NaN", "nan", "Infinity", "-Infinity", "inf", str(2**64), str(2**63), str(2**31),
           "-" + str(2**63 + 1), "1e3", "0x10", "1_000", "0", "-1", "00", "1.5", "9" * 50, "\u0661\u0662"]
TEXT = [
    "", " ", "\x00", "a\x00b", "a\x01b", "\x1f", "\x7f", "\x85", "\ud800", "\udc80", "a\udc80b", "\udbff\udfff",
    "\u202e\u0645\u0631\u062d\u0628\u0627", "\u200f", "\u200b", "\ufeff", "\ufffe", "\uffff", "\U0001f600",
    "e\u0301", "\u2126", "\ufdfa", "\t\r\n", "\r\n\r\n", BIG, "\u00e9" * 30_000,
    # Full-text and SQL syntax
    '"', '""', "*", "a*", "NEAR(", "NEAR(a b, 2)", "' OR 1=1 --", "'; DROP TABLE papers_paper; --", "%", "_",
    "%_%", "\\", "\\\\", "(", ")", "AND", "OR", "NOT", "a AND", "^", ":", "title:", "-", "+", "~", "{}", "[]",
    "col:*", "a OR b NOT", "$1", "?", "&", "&&", "||", "!", "<->",
    # markup, links, paths
    "<script>alert(1)</script>", "javascript:alert(1)", "https://evil.example/", "//evil.example", "/\\evil.example",
    "../../etc/passwd", "%00", "%2F", "%ZZ", "a/b", ".", "..", "[x][r1]\n\n[r1]: https://evil.example",
    "abc", "hostile", "daily", "weekly", "hourly", "on", "true", "null", "None", "undefined",
]
HOSTILE_BASE = TEXT + FAR_DATES + NUMBERS

# Short random text over all of Unicode, surrogates and controls included.
_random_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=12)


def hostile_text() -> st.SearchStrategy[str]:
    base = st.sampled_from(HOSTILE_BASE)
    return st.one_of(
        base,
        st.tuples(base, base).map(lambda pair: pair[0][:2000] + pair[1][:2000]),
        _random_text,
    )


def value_for(valid: list[str]) -> st.SearchStrategy[str]:
    """A valid value for the field (when there are any) about half the time, else a hostile one."""
    if not valid:
        return hostile_text()
    return st.one_of(st.sampled_from(valid), hostile_text())


# Raw JSON text for a value: strings (json.dumps writes lone surrogates as "\udc80"
# escapes, as an attacker would), odd numbers, constants and deep nesting.
RAW_JSON_VALUES = ["1e309", "-0", "NaN", "Infinity", "-Infinity", str(2**64), "1" * 5000, "1.5", "-1", "0", "true",
                   "false", "null", "[]", "{}", '["a"]', '{"a": 1}', "[" * 1000 + "]" * 1000, DEEP_JSON]


def raw_json_value(valid: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        value_for(valid).map(json.dumps),
        st.sampled_from(RAW_JSON_VALUES),
    )


def json_body(fields: list[str], valid: dict[str, list[str]]) -> st.SearchStrategy[bytes]:
    """A JSON object of some of `fields` with hostile values, or a hostile document."""
    members = st.lists(
        st.sampled_from(fields or ["x"]).flatmap(lambda name: st.tuples(st.just(name), raw_json_value(valid.get(name, [])))),
        max_size=4,
    ).map(lambda pairs: "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in pairs) + "}")
    documents = st.sampled_from([DEEP_JSON, "{" + '"a":{' * 100_000, "[1]", '"text"', "1e309", "NaN", "", "{", "{}}", "\ufeff{}"])
    return st.one_of(members, members, documents.map(lambda d: d)).map(
        lambda text: text.encode("utf-8", "surrogatepass")
    ) | st.sampled_from([b"\xff\xfe", b'{"a": "\xed\xb2\x80"}', b"\x00"])


# Multipart bodies (boundary "b"): cut off, without a closing boundary, with NUL in a field
# and in a field name.
MULTIPART = [
    b"--b\r\n",
    b'--b\r\nContent-Disposition: form-data; name="q"\r\n\r\nabc',
    b'--b\r\nContent-Disposition: form-data; name="q"\r\n\r\na\x00b\r\n--b--\r\n',
    b'--b\r\nContent-Disposition: form-data; name="a\x00"\r\n\r\nx\r\n--b--\r\n',
    b'--b\r\nContent-Disposition: form-data; name="f"; filename="../x"\r\n\r\n' + b"x" * 10_000 + b"\r\n--b--\r\n",
]
