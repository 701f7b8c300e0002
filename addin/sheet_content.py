"""What churnkit writes into a workbook, independent of how it gets there.

A :class:`SheetContent` is a heading block (label, value rows) above one Excel table.
The file adapter renders it as sheet XML; the live-Excel adapter writes it through Excel.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Sequence

KINDS = ("text", "int", "money", "date", "datetime", "risk", "class", "any")


@dataclasses.dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"           # one of KINDS; "any" keeps the type of what the user typed
    width: float = 14
    user: bool = False           # filled in by the user, kept across refreshes
    choices: tuple[str, ...] = ()  # offered as a drop-down (other values stay allowed)


@dataclasses.dataclass
class SheetContent:
    name: str
    title: str
    heading: list[tuple[str, Any]]          # label, value rows under the title
    table_name: str                          # the Excel table's name, unique in the workbook
    columns: list[Column]
    rows: list[Sequence[Any]]
    tab_color: str = "FF1F4E79"              # ARGB

    @property
    def header_row(self) -> int:
        """1-based row of the table's header: title, heading rows, one blank row."""
        return len(self.heading) + 3
