"""What churnkit writes into a workbook, independent of how it gets there.

A :class:`SheetContent` is a title and a heading block (label, value rows) above one or
more Excel tables placed side by side, and optionally charts over their columns. The
file adapter lays it out as a worksheet of the package (``workbooks.layout``); the
live-Excel adapter writes it through Excel. A formula the user typed into one of their
columns is an ``ooxml.worksheet.Formula`` value; any other text is written as text.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Sequence

from ..ooxml.worksheet import EXCEL_TEXT_MAX, fit_text

KINDS = ("text", "int", "money", "pct", "date", "datetime", "risk", "class", "any")
TABLE_GAP = 1                       # empty columns between two tables


@dataclasses.dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"           # one of KINDS; "any" keeps the type of what the user typed
    width: float = 14
    user: bool = False           # filled in by the user, kept across refreshes
    choices: tuple[str, ...] = ()  # offered as a drop-down (other values stay allowed)


@dataclasses.dataclass
class Table:
    name: str                     # the Excel table's name, unique in the workbook
    columns: list[Column]
    rows: list[Sequence[Any]]


@dataclasses.dataclass(frozen=True)
class Chart:
    """A chart of some columns of one table, with the first listed column as categories."""
    title: str
    table: int
    category: int
    values: tuple[int, ...]
    kind: str = "line"            # line or column


@dataclasses.dataclass
class SheetContent:
    name: str
    title: str
    heading: list[tuple[str, Any]]          # label, value rows under the title
    tables: list[Table]
    charts: list[Chart] = dataclasses.field(default_factory=list)
    tab_color: str = "FF1F4E79"              # ARGB

    @property
    def header_row(self) -> int:
        """1-based row of the tables' headers: title, heading rows, one blank row."""
        return len(self.heading) + 3

    def first_column(self, index: int) -> int:
        """1-based column where table ``index`` starts."""
        return 1 + sum(len(t.columns) + TABLE_GAP for t in self.tables[:index])

    def last_row(self, index: int) -> int:
        """1-based last row of table ``index`` (an empty table keeps one blank row)."""
        return self.header_row + max(len(self.tables[index].rows), 1)

    @property
    def width(self) -> int:
        return self.first_column(len(self.tables)) - 1 - TABLE_GAP if self.tables else 2


def cut_long_texts(tables: Sequence[Table]) -> int:
    """Cut texts longer than a cell holds to its limit, ending in an ellipsis; returns how many were cut."""
    cut = 0
    for table in tables:
        for number, row in enumerate(table.rows):
            if any(isinstance(value, str) and len(value) > EXCEL_TEXT_MAX for value in row):
                table.rows[number] = [fit_text(value) for value in row]
                cut += sum(isinstance(value, str) and len(value) > EXCEL_TEXT_MAX for value in row)
    return cut
