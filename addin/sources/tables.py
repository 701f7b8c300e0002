"""Where the sheets of an order book come from, every cell as text: a workbook file (fastexcel, once the
package guard let each sheet through) or the values of a workbook open in Excel (xlwings' used ranges)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Protocol, Sequence

import fastexcel
import pyarrow as pa
import pyarrow.compute as pc

from churn_logic import warm_up

from ..ooxml.worksheet import EXCEL_TEXT_MAX
from .files import OpenWorkbook, first_line
from .guard import UnreadableSheet
from .sheet_pieces import load_in_pieces, used_range


class SheetTables(Protocol):
    """Where sheets come from: a workbook file, or the values of an open workbook."""
    label: str                    # how messages name the workbook
    sheet_names: list[str]

    def load(self, sheet: str) -> tuple[int, pa.Table]:
        """The Excel row number of its first row, and the sheet with every cell as text."""

    def merged(self, sheet: str) -> tuple[str, ...]:
        """The merged ranges of a loaded sheet (``D1:E1`` …), where they are known."""


class ExcelFileTables:
    """The sheets of a workbook file, read by fastexcel once the package guard let them through."""

    def __init__(self, workbook: OpenWorkbook, label: str):
        self.workbook, self.label, self.sheet_names = workbook, label, list(workbook.reader.sheet_names)
        self._merged: dict[str, tuple[str, ...]] = {}

    def load(self, sheet: str) -> tuple[int, pa.Table]:
        self._merged[sheet] = self.workbook.guard.check_sheet(sheet)
        # fastexcel reads without Python's lock: scipy is imported meanwhile (after the guard, whose many short
        # steps would wait for the lock at every one)
        warm_up()
        guard = self.workbook.guard
        part = guard.sheet_part(sheet)
        table = load_in_pieces(guard.path, part, guard.folder, sheet) if part is not None else None
        try:
            # eagerly: fastexcel builds the Arrow columns as it reads (half a second less on a million lines)
            if table is None:
                table = used_range(pa.Table.from_batches([self.workbook.reader.load_sheet(
                    sheet, header_row=None, skip_rows=0, dtypes="string", eager=True)]))
        except (fastexcel.FastExcelError, pa.ArrowException) as exc:
            detail = first_line(exc).removeprefix("calamine error: ")
            raise UnreadableSheet(f"Sheet '{sheet}' of {self.label} cannot be read ({detail}); open the workbook "
                                  "in Excel, save it, and run again.") from exc
        _check_cell_lengths(table, sheet, self.label)
        return 1, table

    def merged(self, sheet: str) -> tuple[str, ...]:
        return self._merged.get(sheet, ())


def _check_cell_lengths(table: pa.Table, sheet: str, label: str) -> None:
    """Refuse a sheet with a text longer than a cell of Excel holds: no Excel wrote it, and reading on would copy
    that text again and again (a cell of 1 GB took 7 GB)."""
    for position, column in enumerate(table.columns):
        lengths = pc.binary_length(column)
        if (pc.max(lengths).as_py() or 0) <= EXCEL_TEXT_MAX:
            continue
        characters = pc.utf8_length(column)
        too_long = pc.indices_nonzero(pc.fill_null(pc.greater(characters, EXCEL_TEXT_MAX), False))
        if len(too_long):
            row = too_long[0].as_py()
            raise UnreadableSheet(f"Sheet '{sheet}' of {label} has a text of {characters[row].as_py():,} characters "
                                  f"in row {row + 1} (column {position + 1} of its data), more than the "
                                  f"{EXCEL_TEXT_MAX:,} a cell of Excel holds, so no Excel saved it; open it in the "
                                  "program that made it, shorten that text, and save it again.")


class ValueTables:
    """Sheets given as values, the way xlwings hands over a used range: {sheet: (first row, 2-D list)}."""

    def __init__(self, label: str, sheets: Mapping[str, tuple[int, Sequence[Sequence[Any]]]]):
        self.label, self.sheets, self.sheet_names = label, dict(sheets), list(sheets)

    def load(self, sheet: str) -> tuple[int, pa.Table]:
        first_row, values = self.sheets[sheet]
        width = max((len(row) for row in values), default=0)
        columns = [[cell_text(row[i]) if i < len(row) else None for row in values] for i in range(width)]
        return first_row, pa.table({f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)})

    def merged(self, sheet: str) -> tuple[str, ...]:
        return ()


def cell_text(value: Any) -> str | None:
    """A cell value as fastexcel renders it as text, so both paths read the same (42.0 -> "42")."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d 00:00:00")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.9f}".rstrip("0").rstrip(".")
    return str(value)
