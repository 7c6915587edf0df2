"""XML reading shared by the Atom and OAI-PMH parsers: defused, streaming, namespace-blind.

Elements are matched by local name only. The recorded responses show why: the same arXiv
metadata appears in the arXiv namespace, in no namespace at all, and (when a producer forgot
to declare it) in the enclosing OAI-PMH namespace; none of those differences carry meaning.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse


class XMLUnreadable(ValueError):
    """The document is not well-formed, or defusedxml refused it (entities, DTDs)."""


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def iter_elements(
    data: bytes | str | BinaryIO, wanted: dict[str, set[str]], roots: set[str] | None = None
) -> Iterator[Element]:
    """Yield each element named in ``wanted`` once it is complete.

    ``roots``: the local names the document element may have. Anything else (an HTML error
    page a server or proxy sent with status 200, well-formed or not) raises
    :class:`XMLUnreadable` before any element is yielded: it is a broken answer, not an
    empty one.

    ``wanted`` maps a local name to the local names its parent may have (empty: any parent):
    an OAI ``record`` sits in ``ListRecords``/``GetRecord``, while a MARC ``record`` inside the
    metadata is content, not a record of the page.

    Streaming: an element is cleared after the caller has seen it, so a page of thousands of
    records stays small in memory, and the records before a truncation point still come out
    before :class:`XMLUnreadable` is raised.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    path: list[str] = []  # local names of the open elements, root first
    try:
        # No arXiv or Hugging Face response has a DOCTYPE, so any DTD is refused outright:
        # that stops entity-expansion bombs and external entities before they are read.
        for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
            name = local(element.tag)
            if event == "start":
                if not path and roots is not None and name not in roots:
                    expected = " or ".join(f"<{r}>" for r in sorted(roots))
                    raise XMLUnreadable(f"expected {expected}, got <{name}> (an error page?)")
                path.append(name)
                continue
            path.pop()
            parents = wanted.get(name)
            if parents is not None and (not parents or (path and path[-1] in parents)):
                yield element
                element.clear()
    except DefusedXmlException as exc:
        raise XMLUnreadable(f"refused unsafe XML ({type(exc).__name__}: {exc})") from None
    except ParseError as exc:
        raise XMLUnreadable(f"malformed XML: {exc}") from None


def layout_dedent(value: str) -> str:
    """Drop indentation that XML pretty-printing added to every line of a text.

    arXiv marks a new abstract paragraph by indenting its first line, and normalisation keeps
    that; but a re-indented document indents *every* continuation line, which is layout, not
    paragraphs. Only when all of them are indented is the indentation removed.
    """
    lines = value.split("\n")
    rest = [line for line in lines[1:] if line.strip()]
    if len(rest) < 2 or not all(line[:1] in (" ", "\t") for line in rest):
        return value
    return "\n".join([lines[0]] + [line.lstrip() for line in lines[1:]])


def children(element: Element, name: str) -> list[Element]:
    return [child for child in element if local(child.tag) == name]


def child(element: Element, name: str) -> Element | None:
    for candidate in element:
        if local(candidate.tag) == name:
            return candidate
    return None


def text(element: Element | None, name: str | None = None) -> str:
    """The text of ``element`` (or of its first child called ``name``), "" when absent."""
    if element is not None and name is not None:
        element = child(element, name)
    if element is None:
        return ""
    return "".join(element.itertext())


def raw(element: Element) -> str:
    return tostring(element, encoding="unicode")
