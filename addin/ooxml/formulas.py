"""The formulas of a worksheet part, cell by cell (what the cell readers do not give).

A user may type a formula into one of their columns of churnkit's lists (a note that
says ``=TODAY()-H5``); the refresh must write it back as that formula, so the cells'
formulas are read from the sheet XML itself. A formula Excel shares over a range is
written once, in its first cell: the others get it moved to their place, with
openpyxl's translator (relative references shift, absolute ones stay).
"""
from __future__ import annotations

import re
from xml.parsers import expat

from .xml_text import XmlError

_REF = re.compile(r"([A-Z]{1,3})(\d+)")


def sheet_formulas(data: bytes) -> dict[tuple[int, int], str]:
    """Every formula of a worksheet part as ``=…`` text, by (row, column), both counted from 1."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    formulas: dict[tuple[int, int], str] = {}
    masters: dict[str, tuple[str, tuple[int, int]]] = {}
    followers: list[tuple[str, tuple[int, int]]] = []
    state = {"row": 0, "column": 0, "formula": None, "text": []}

    def start(name, attrs):
        local = _follow_cells(name, attrs, state)
        if local == "f":
            state["formula"], state["text"] = attrs, []

    def text(chunk):
        if state["formula"] is not None:
            state["text"].append(chunk)

    def end(name):
        if name.rpartition(" ")[2] != "f" or state["formula"] is None:
            return
        attrs, body = state["formula"], "".join(state["text"])
        cell = (state["row"], state["column"])
        shared = attrs.get("t") == "shared" and "si" in attrs
        if body:
            formulas[cell] = "=" + body
            if shared:
                masters[attrs["si"]] = ("=" + body, cell)
        elif shared:
            followers.append((attrs["si"], cell))
        state["formula"] = None

    _parse(parser, data, start, end, text)
    for si, cell in followers:
        if si in masters:
            formulas[cell] = _moved(*masters[si], cell)
    return formulas


def formulas_without_results(data: bytes) -> set[tuple[int, int]]:
    """The cells of a worksheet part that hold a formula but no saved result (row, column, from 1): a file
    written by a program that does not calculate, never opened and saved in Excel or LibreOffice."""
    parser = expat.ParserCreate(namespace_separator=" ")
    found: set[tuple[int, int]] = set()
    state = {"row": 0, "column": 0, "formula": False, "value": False, "in_value": False}

    def start(name, attrs):
        local = _follow_cells(name, attrs, state)
        if local == "c":
            state["formula"] = state["value"] = False
        elif local == "f":
            state["formula"] = True
        elif local in ("v", "t"):        # the saved result, or an inline string's text
            state["in_value"] = True

    def text(chunk):
        state["value"] = state["value"] or (state["in_value"] and bool(chunk.strip()))

    def end(name):
        local = name.rpartition(" ")[2]
        if local in ("v", "t"):
            state["in_value"] = False
        elif local == "c" and state["formula"] and not state["value"]:
            found.add((state["row"], state["column"]))

    _parse(parser, data, start, end, text)
    return found


def _parse(parser, data: bytes, start, end, text) -> None:
    """Run an expat parser over a part with these handlers, refusing DTDs and entities."""
    def refuse(*_):
        raise XmlError("it declares a DTD or entities")

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise XmlError(f"{expat.ErrorString(exc.code)} at line {exc.lineno}") from None


def _follow_cells(name: str, attrs, state: dict) -> str:
    """Keep ``state["row"]`` and ``state["column"]`` on the cell an element starts; the element's local name."""
    local = name.rpartition(" ")[2]
    if local == "row":
        state["row"] = int(attrs["r"]) if attrs.get("r", "").isdigit() else state["row"] + 1
        state["column"] = 0
    elif local == "c":
        state["row"], state["column"] = _place(attrs.get("r"), state["row"], state["column"])
    return local


def _place(ref: str | None, row: int, column: int) -> tuple[int, int]:
    """A cell's (row, column) from its reference, or the next cell of the row when it has none."""
    match = _REF.fullmatch(ref or "")
    if not match:
        return row, column + 1
    letters, digits = match.groups()
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return int(digits), number


def _moved(formula: str, origin: tuple[int, int], cell: tuple[int, int]) -> str:
    from openpyxl.formula.translate import Translator       # only for shared formulas: rare, and a slow import
    from openpyxl.utils.cell import get_column_letter

    def a1(place: tuple[int, int]) -> str:
        return f"{get_column_letter(place[1])}{place[0]}"

    return Translator(formula, origin=a1(origin)).translate_formula(a1(cell))
