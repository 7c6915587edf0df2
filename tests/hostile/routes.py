"""What the hostile-input test finds by itself: every route, and the names its view reads.

- Routes: Django's URL resolver, walked recursively. A new path() is tested without any edit
  here. Django's admin is left out but for its log-in page and index: the rest answers
  everyone but staff with a redirect to that log-in, and test_admin_input.py attacks it as a
  superuser, model by model.
- Names a view reads: the string literals in the source of its view function (and of the
  handlers an API `endpoint` dispatches to, and of the forms it names) that are field names
  somewhere: in a paperfeed form class, a `request.GET/POST.get("…")`, a `name="…"` of a
  template, or a JSON body's `.get("…")` in the API. Query keys are every name read from
  `request.GET` or by the API's `params` helpers.
"""

from __future__ import annotations

import functools
import inspect
import re
from dataclasses import dataclass, field
from pathlib import Path

from django import forms
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

import paperfeed

SRC = Path(paperfeed.__file__).parent
ADMIN_KEPT = {"admin/", "admin/login/"}
_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass
class Route:
    name: str
    route: str  # "papers/date/<str:day>"
    parts: list  # literal strings and (parameter name, converter regex)
    view: object
    fields: list[str] = field(default_factory=list)
    literals: list[str] = field(default_factory=list)

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    def __str__(self) -> str:
        return self.name or self.route or "/"


def _walk(patterns, prefix: str = "", converters: dict | None = None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + _text(pattern.pattern), {**(converters or {}), **pattern.pattern.converters})
        elif isinstance(pattern, URLPattern):
            yield prefix + _text(pattern.pattern), pattern, {**(converters or {}), **pattern.pattern.converters}


def _text(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return str(pattern._route)
    if isinstance(pattern, RegexPattern):
        # The two regex routes (the API's catch-all, the admin's app index) match any text
        # there: a placeholder parameter stands for it.
        return "<anything>" if pattern.regex.pattern not in ("^$", "") else ""
    return str(pattern)


def all_routes() -> list[Route]:
    routes = []
    for text, pattern, converters in _walk(get_resolver().url_patterns):
        if text.startswith("admin/") and text not in ADMIN_KEPT:
            continue
        parts: list = []
        position = 0
        for match in _CONVERTER.finditer(text):
            parts.append(text[position:match.start()])
            converter = converters.get(match["name"])
            regex = converter.regex if converter is not None else ".+"
            parts.append((match["name"], regex))
            position = match.end()
        parts.append(text[position:])
        routes.append(Route(pattern.name or text, text, parts, pattern.callback))
    names = field_names()
    for route in routes:
        route.fields = sorted(names & _literals(route.view))
        route.literals = sorted(literals(route.view))
    return routes


def _functions(view, seen=None) -> list:
    """The view and what it wraps or dispatches to (decorators, the API's endpoint handlers)."""
    seen = seen if seen is not None else set()
    if id(view) in seen:
        return []
    seen.add(id(view))
    found = []
    if inspect.isfunction(view) or inspect.ismethod(view):
        found.append(view)
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        found.append(view_class)
    inner = getattr(view, "__wrapped__", None)
    if inner is not None:
        found += _functions(inner, seen)
    for cell in getattr(view, "__closure__", None) or ():
        try:
            content = cell.cell_contents
        except ValueError:
            continue
        if callable(content) and getattr(content, "__module__", "").startswith("paperfeed"):
            found += _functions(content, seen)
        elif isinstance(content, dict):
            for value in content.values():
                if callable(value) and getattr(value, "__module__", "").startswith("paperfeed"):
                    found += _functions(value, seen)
    return found


_LITERAL = re.compile(r"""["']([\w.-]{1,40})["']""")


@functools.cache
def _form_classes() -> dict[str, type]:
    import importlib
    import pkgutil

    for module in pkgutil.walk_packages([str(SRC)], "paperfeed."):
        if module.name.endswith("forms") or ".forms" in module.name:
            importlib.import_module(module.name)
    found = {}
    stack = [forms.BaseForm]
    while stack:
        cls = stack.pop()
        stack += cls.__subclasses__()
        if cls.__module__.startswith("paperfeed"):
            found[cls.__name__] = cls
    return found


@functools.cache
def _source_of(function) -> str | None:
    """inspect.getsource, once per function: many views share helpers, and this runs at each
    test process's collection."""
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):
        return None


@functools.cache
def _sources(view) -> tuple[str, ...]:
    """The source of the view's functions, and of the paperfeed functions and classes they
    call by name (one level: a view's helpers often read the fields)."""
    sources = []
    for function in _functions(view):
        source = _source_of(function)
        if source is None:
            continue
        sources.append(source)
        module_globals = getattr(function, "__globals__", {})
        for called in set(re.findall(r"\b(\w+)\(", source)):
            helper = module_globals.get(called)
            if helper is not None and getattr(helper, "__module__", "").startswith("paperfeed") and helper is not function:
                if (helper_source := _source_of(helper)) is not None:
                    sources.append(helper_source)
    return tuple(sources)


def literals(view) -> set[str]:
    """Every short string literal in the view's source (and its helpers'): candidate values
    of its path parameters ("mute-add", "atom", "daily") and, among them, the field names."""
    found: set[str] = set()
    for source in _sources(view):
        found |= set(_LITERAL.findall(source))
    return found


def _literals(view) -> set[str]:
    names: set[str] = set()
    for source in _sources(view):
        names |= set(_LITERAL.findall(source))
        for form_name, form_class in _form_classes().items():
            if re.search(rf"\b{form_name}\b", source):
                names |= set(form_class.base_fields)
    return names


@functools.cache
def field_names() -> frozenset[str]:
    names = set()
    for form_class in _form_classes().values():
        names |= set(form_class.base_fields)
    for path in SRC.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        names |= set(re.findall(r"""(?:POST|GET|data|json_body\(request\))\.get(?:list)?\(\s*["']([\w-]+)["']""", source))
        names |= set(re.findall(r"""params\.\w+\(request,\s*["']([\w-]+)["']""", source))
    for path in (SRC / "templates").rglob("*.html"):
        names |= set(re.findall(r"""\bname="([\w-]+)\"""", path.read_text(encoding="utf-8")))
    return frozenset(names)


@functools.cache
def query_keys() -> tuple[str, ...]:
    keys = {"q", "p", "page", "next", "sort", "limit"}
    for path in SRC.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"""GET(?:\.get|\.getlist)?[\[(]\s*["']([\w-]+)["']""", source))
        keys |= set(re.findall(r"""params\.get\(\s*["']([\w-]+)["']""", source))
        keys |= set(re.findall(r"""params\.\w+\(request,\s*["']([\w-]+)["']""", source))
    keys |= {"date", "week", "month"}  # params.period reads them through a table
    return tuple(sorted(keys))


@functools.cache
def template_values() -> dict[str, list[str]]:
    """Fixed values the templates' forms send for a name (hidden "action" fields, radio choices)."""
    values: dict[str, set[str]] = {}
    for path in (SRC / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:input|button|option)\b[^>]*>", text):
            name = re.search(r'\bname="([\w-]+)"', tag)
            value = re.search(r'\bvalue="([^"{}]*)"', tag)
            if name and value:
                values.setdefault(name[1], set()).add(value[1])
    return {name: sorted(found) for name, found in values.items()}
