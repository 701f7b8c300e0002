"""Writing values into a template's worksheet XML, keeping every other byte of it.

Cells are written the way ``xlsx_sheet`` writes them (text as inline strings, never as
formulas), each with the style the template gave that place. Rows the fill does not
touch keep their original XML; a block's rows take the attributes (height, style) of
its first row.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any, Sequence

from ..ooxml.sheet_xml import cell_xml
from ..ooxml.worksheet import column_letter
from .cell_ranges import Area, column_number, parse_area

_SHEET_DATA = re.compile(r"<sheetData\s*/>|<sheetData>(.*?)</sheetData>", re.S)
_ROW = re.compile(r"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)
_CELL = re.compile(r"<c\b([^>]*?)(?:/>|>.*?</c>)", re.S)
_CELL_REF = re.compile(r'\br="([A-Z]+)(\d+)"')
_ROW_NUMBER = re.compile(r'\br="(\d+)"')
_STYLE = re.compile(r'\bs="(\d+)"')
_DROPPED_ROW_ATTRS = re.compile(r'\s+(?:r|spans)="[^"]*"')
_SQREF = re.compile(r'(<(?:conditionalFormatting|dataValidation)\b[^>]*\bsqref=")([^"]*)(")')
_DIMENSION = re.compile(r'(<dimension\b[^>]*\bref=")([^"]*)(")')


class TemplateError(ValueError):
    """The template cannot be filled (a defined name points nowhere usable)."""


@dataclasses.dataclass
class _Row:
    attrs: str                      # the row's attributes without r and spans
    cells: dict[int, str]           # column -> <c> element
    original: str | None            # the row's XML while it is unchanged


class SheetCells:
    """A worksheet part opened for filling single cells and growing blocks downward."""

    def __init__(self, xml: str):
        match = _SHEET_DATA.search(xml)
        if match is None:
            raise TemplateError("a worksheet has no <sheetData>")
        self.head, self.tail = xml[:match.start()], xml[match.end():]
        self.rows: dict[int, _Row] = {}
        for row in _ROW.finditer(match.group(1) or ""):
            number = int(_ROW_NUMBER.search(row.group(1)).group(1))
            cells = {column_number(_CELL_REF.search(c.group(1)).group(1)): c.group(0)
                     for c in _CELL.finditer(row.group(2) or "")}
            self.rows[number] = _Row(_DROPPED_ROW_ATTRS.sub("", row.group(1)), cells, row.group(0))

    def style(self, row: int, column: int) -> int:
        """The style index the template gives a cell (0 when it gives none)."""
        cell = self.rows.get(row, _Row("", {}, None)).cells.get(column, "")
        match = _STYLE.search(cell.split(">", 1)[0])
        return int(match.group(1)) if match else 0

    def put(self, row: int, column: int, value: Any) -> None:
        """Write ``value`` into one cell, keeping the cell's style."""
        style = self.style(row, column)
        target = self.rows.setdefault(row, _Row("", {}, None))
        target.cells[column] = cell_xml(f"{column_letter(column)}{row}", value, style)
        target.original = None

    def fill_block(self, area: Area, rows: Sequence[Sequence[Any]]) -> Area:
        """Write ``rows`` from the block's first row down, styled like that row; returns the area written.

        Cells of the block's columns below its first row are cleared first; other
        columns and everything above stay as they are. Values beyond the block's width
        are left out; short rows leave their last cells empty.
        """
        first, columns = area.top, range(area.left, area.right + 1)
        styles = {col: self.style(first, col) for col in columns}
        attrs = self.rows[first].attrs if first in self.rows else ""
        for number, row in self.rows.items():
            if number >= first and any(col in row.cells for col in columns):
                row.cells = {col: xml for col, xml in row.cells.items() if col not in columns}
                row.original = None
        for offset, values in enumerate(rows):
            number = first + offset
            target = self.rows.setdefault(number, _Row(attrs, {}, None))
            target.original = None
            padded = list(values)[:len(columns)] + [None] * (len(columns) - len(values))
            for col, value in zip(columns, padded):
                target.cells[col] = cell_xml(f"{column_letter(col)}{number}", value, styles[col])
        written = area.with_bottom(first + max(len(rows), 1) - 1)
        self._grow_sqrefs(area, written.bottom)
        return written

    def clear(self, area: Area) -> None:
        """Remove the cells of ``area``, values and styles (what covers them is ``left_out``'s)."""
        for number, row in self.rows.items():
            if area.contains_row(number) and any(area.left <= col <= area.right for col in row.cells):
                row.cells = {col: xml for col, xml in row.cells.items() if not area.left <= col <= area.right}
                row.original = None

    def _grow_sqrefs(self, block: Area, bottom: int) -> None:
        """Conditional formats and data validations over the block's first row now reach ``bottom``."""
        def grow(match: re.Match) -> str:
            areas = []
            for text in match.group(2).split():
                found = parse_area(text)
                if found and found.contains_row(block.top) and found.overlaps_columns(block.left, block.right):
                    text = found.with_bottom(max(bottom, block.top)).a1()
                areas.append(text)
            return match.group(1) + " ".join(areas) + match.group(3)
        self.tail = _SQREF.sub(grow, self.tail)

    def xml(self) -> str:
        rows = []
        for number in sorted(self.rows):
            row = self.rows[number]
            if row.original is not None:
                rows.append(row.original)
            elif row.cells:
                cells = "".join(row.cells[col] for col in sorted(row.cells))
                rows.append(f'<row r="{number}"{row.attrs}>{cells}</row>')
            else:
                rows.append(f'<row r="{number}"{row.attrs}/>')
        return self._dimension(self.head) + f"<sheetData>{''.join(rows)}</sheetData>" + self.tail

    def _dimension(self, head: str) -> str:
        """The ``<dimension>`` hint widened to every row and column that now holds a cell."""
        used = [(number, col) for number, row in self.rows.items() for col in row.cells]
        if not used:
            return head
        bottom, right = max(n for n, _ in used), max(c for _, c in used)

        def widen(match: re.Match) -> str:
            old = parse_area(match.group(2)) or Area(1, 1, 1, 1)
            new = Area(old.top, old.left, max(old.bottom, bottom), max(old.right, right))
            return match.group(1) + new.a1() + match.group(3)
        return _DIMENSION.sub(widen, head, count=1)
