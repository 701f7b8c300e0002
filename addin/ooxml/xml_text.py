"""Editing an XML part as text, at positions found by a real XML parser.

Package parts churnkit adds its entries to (``workbook.xml``, relationships, content
types, styles, ``app.xml``) must keep every byte it does not mean to change, so they are
not re-serialised: an edit splices new text in at element positions that expat reports.
Expat also resolves what a regular expression cannot: namespace prefixes declared on any
element, single-quoted attributes, ``>`` inside attribute values, ``<a></a>`` for ``<a/>``.
Hand-written because no kept library reports byte positions of elements; documents with a
DTD or entity declarations are refused, as defusedxml refuses them.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Iterator
from xml.parsers import expat
from xml.sax.saxutils import quoteattr

_XML_NS = "http://www.w3.org/XML/1998/namespace"
_ATTRIBUTE = re.compile(r"""\s([^\s=/>]+)\s*=\s*("[^"]*"|'[^']*')""")     # left to right, values whole


class XmlError(ValueError):
    """The part is not XML churnkit can edit."""


@dataclasses.dataclass
class Element:
    """An element of a parsed part: names with namespaces resolved, and where its text lies."""
    uri: str                        # namespace URI ('' for none)
    local: str
    qname: str                      # as written, e.g. "x:sheet"
    attrs: dict[str, str]           # local name (unprefixed) or "{uri}local" -> value
    namespaces: dict[str, str]      # prefix ('' for the default) -> URI, in scope here
    start: int                      # offset of "<"
    head_end: int                   # offset just after the start tag's ">"
    close: int = -1                 # offset of "</" (equals head_end's tag for "<a/>")
    end: int = -1                   # offset just after the element
    children: list["Element"] = dataclasses.field(default_factory=list)

    @property
    def empty_tag(self) -> bool:
        return self.close == self.start

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def find(self, local: str) -> "Element | None":
        return next((child for child in self.children if child.local == local), None)

    def findall(self, local: str) -> list["Element"]:
        return [child for child in self.children if child.local == local]

    def iter(self, local: str | None = None) -> Iterator["Element"]:
        if local is None or self.local == local:
            yield self
        for child in self.children:
            yield from child.iter(local)

    def prefix_for(self, uri: str) -> str | None:
        """The prefix bound to ``uri`` here ('' for the default namespace), None when none is."""
        return next((prefix for prefix, bound in self.namespaces.items() if bound == uri), None)

    def child_qname(self, local: str) -> str:
        """How a new child in this element's namespace is named: with the element's own prefix."""
        prefix = self.qname.rpartition(":")[0]
        return f"{prefix}:{local}" if prefix else local


def parse(data: bytes) -> Element:
    """The root element of ``data`` (UTF-8 XML), with positions; :class:`XmlError` when it is not such XML."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.namespace_prefixes = True
    parser.buffer_text = True
    stack: list[Element] = []
    roots: list[Element] = []
    scopes: list[dict[str, str]] = [{"xml": _XML_NS}]
    pending: dict[str, str] = {}

    def refuse(*_):
        raise XmlError("it declares a DTD or entities")

    def namespace_start(prefix, uri):
        pending[prefix or ""] = uri or ""

    def element_start(name, attributes):
        scope = {**scopes[-1], **pending}
        pending.clear()
        scopes.append(scope)
        uri, local, prefix = _split(name)
        start = parser.CurrentByteIndex
        head_end = _tag_end(data, start)
        element = Element(uri, local, f"{prefix}:{local}" if prefix else local,
                          {_attr_key(key): value for key, value in attributes.items()}, scope, start, head_end)
        (stack[-1].children if stack else roots).append(element)
        stack.append(element)

    def element_end(_name):
        element = stack.pop()
        scopes.pop()
        at = parser.CurrentByteIndex
        if data[element.head_end - 2:element.head_end] == b"/>":
            element.close = element.start
            element.end = element.head_end
        else:
            element.close = at
            element.end = data.index(b">", at) + 1

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartNamespaceDeclHandler = namespace_start
    parser.StartElementHandler = element_start
    parser.EndElementHandler = element_end
    if not data.lstrip().startswith(b"<") and not data.startswith(b"\xef\xbb\xbf"):
        raise XmlError("it is not XML")
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise XmlError(f"{expat.ErrorString(exc.code)} at line {exc.lineno}") from None
    _check_utf8(data)
    return roots[0]


def _check_utf8(data: bytes) -> None:
    declared = re.match(rb"(?:\xef\xbb\xbf)?<\?xml[^>]*encoding\s*=\s*[\"']([\w.-]+)", data)
    if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        raise XmlError(f"it is encoded in {declared.group(1).decode()}, not UTF-8")


def _split(name: str) -> tuple[str, str, str]:
    parts = name.split(" ")
    if len(parts) == 1:
        return "", parts[0], ""
    return parts[0], parts[1], parts[2] if len(parts) > 2 else ""


def _attr_key(name: str) -> str:
    uri, local, _ = _split(name)
    return f"{{{uri}}}{local}" if uri else local


def _tag_end(data: bytes, start: int) -> int:
    """The offset just after the ``>`` closing the tag that starts at ``start`` (quotes may hold ``>``)."""
    at, quote = start, None
    while True:
        at += 1
        char = data[at:at + 1]
        if quote:
            if char == quote:
                quote = None
        elif char in (b'"', b"'"):
            quote = char
        elif char == b">":
            return at + 1


# --- edits: each returns the new text, changing nothing outside the spot it names ----------------
def append_child(data: bytes, parent: Element, fragment: str) -> bytes:
    """``fragment`` added as the last child of ``parent`` (an empty tag ``<a/>`` is opened for it)."""
    text = fragment.encode()
    if parent.empty_tag:
        head = data[parent.start:parent.head_end - 2].rstrip()
        return data[:parent.start] + head + b">" + text + f"</{parent.qname}>".encode() + data[parent.end:]
    return data[:parent.close] + text + data[parent.close:]


def insert_before(data: bytes, sibling: Element, fragment: str) -> bytes:
    return data[:sibling.start] + fragment.encode() + data[sibling.start:]


def remove(data: bytes, element: Element) -> bytes:
    return data[:element.start] + data[element.end:]


def replace(data: bytes, element: Element, fragment: str) -> bytes:
    return data[:element.start] + fragment.encode() + data[element.end:]


def set_attribute(data: bytes, element: Element, qname: str, value: str) -> bytes:
    """Set one attribute of ``element``'s start tag (added at its end when missing)."""
    head = data[element.start:element.head_end].decode()
    new = quoteattr(value)
    found = next((m for m in _ATTRIBUTE.finditer(head) if m.group(1) == qname), None)
    if found:
        head = f"{head[:found.start(2)]}{new}{head[found.end(2):]}"
    else:
        close = -2 if head.endswith("/>") else -1
        head = f"{head[:close].rstrip()} {qname}={new}{head[close:]}"
    return data[:element.start] + head.encode() + data[element.head_end:]


def text_of(data: bytes, element: Element) -> str:
    """The character data directly inside an element without children (entities resolved)."""
    if element.empty_tag:
        return ""
    inner = data[element.head_end:element.close].decode()
    return unescape(inner)


def unescape(text: str) -> str:
    """XML character data as text: entities and character references resolved."""
    parser = expat.ParserCreate()
    chunks: list[str] = []
    parser.buffer_text = True
    parser.CharacterDataHandler = chunks.append
    parser.Parse(f"<t>{text}</t>".encode(), True)
    return "".join(chunks)


def attribute(name: str, value: str) -> str:
    """``name="value"``, escaped."""
    return f"{name}={quoteattr(value)}"
