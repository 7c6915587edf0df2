"""What a request brings in — query strings, form fields, JSON bodies — as text that can be
stored and shown: the one place that decides it, for every view.

- Text by the project's one rule (core/text.py, the same as for source records): no control
  characters but tab and line breaks, lone surrogates as U+FFFD. Django decodes query strings
  and form bodies with errors="replace", so invalid bytes there are already U+FFFD; only
  JSON's "\\udc80" escapes can make a lone surrogate.
- JSON nested at most MAX_JSON_DEPTH deep. The parser recurses once per level, so a body of
  100,000 "[" would end in a RecursionError; the nesting is measured before parsing, in one
  pass, and a deeper body is refused with 400. The body's size limit stays Django's
  DATA_UPLOAD_MAX_MEMORY_SIZE.

`CleanInputMiddleware` applies the text rules to request.GET and request.POST before any view
runs (and answers 404 for a path with control characters: no page has one); `parse_json`
is what the API's json_body uses.
"""

from __future__ import annotations

import json
import re

from django.http import Http404, QueryDict
from django.http.multipartparser import MultiPartParserError

from paperfeed.core.text import valid_text

# API bodies are flat objects with the odd list: 20 levels is far more than any needs.
MAX_JSON_DEPTH = 20

_CONTROL_IN_PATH = re.compile("[\x00-\x1f\x7f]")
# A JSON string (escapes included) or a bracket: strings are skipped whole, so brackets in
# them do not count.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


class BadInput(ValueError):
    """A body that cannot be taken; the message says why, for a 400."""


def clean_query_dict(data: QueryDict) -> QueryDict:
    """The same QueryDict when nothing needs cleaning, else a cleaned immutable copy."""
    if all(valid_text(key) == key and all(valid_text(v) == v for v in values) for key, values in data.lists()):
        return data
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlist(valid_text(key), [valid_text(value) for value in values])
    cleaned._mutable = False
    return cleaned


def json_depth_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the brackets of `text` nest deeper than `limit` (stops at the first level too deep)."""
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return True
        elif token in "]}":
            depth -= 1
    return False


def _refuse_constant(name: str):
    raise BadInput(f"The request body is not valid JSON ({name} is not a JSON number).")


def _cleaned(value):
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    if isinstance(value, dict):
        return {valid_text(key): _cleaned(item) for key, item in value.items()}
    return value


def parse_json(raw: bytes) -> object:
    """A JSON document from a request body, its strings cleaned; BadInput when it is not one.

    Strict JSON: UTF-8, no NaN or Infinity (Python's parser takes them, nothing else does).
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput("The request body is not valid JSON (it must be UTF-8).") from None
    if json_depth_exceeds(text):
        raise BadInput(f"The request body is nested deeper than {MAX_JSON_DEPTH} levels.")
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except BadInput:
        raise
    except (ValueError, RecursionError):  # RecursionError: cannot happen after the depth check
        raise BadInput("The request body is not valid JSON.") from None
    return _cleaned(data)


class CleanInputMiddleware:
    """Every view sees request.GET and request.POST with clean text (core.text.valid_text)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _CONTROL_IN_PATH.search(request.path_info):
            raise Http404("No page has control characters in its address.")
        request.GET = clean_query_dict(request.GET)
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            try:
                request.POST = clean_query_dict(request.POST)
            except MultiPartParserError:
                # A broken multipart body: Django would raise the same in the view; an empty
                # form is what the view then validates (and refuses), as for a missing field.
                request.POST = QueryDict()
        return self.get_response(request)
